package broker

import (
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/IBM/sarama"
)

// These tests guard the patch in third_party/kfake (see its README.md): a
// classic group member that dies at any step of the join/sync protocol must
// leave the group within its session timeout, as on Apache Kafka. Unpatched,
// a member whose JoinGroup response could not be delivered kept its
// partitions for good, and a follower waiting in SyncGroup for a dead leader
// was expired with it, unanswered, so the group stalled until the rebalance
// timeout.
//
// Each round speaks the protocol by hand with sarama's raw requests: member a
// survives and behaves like a sarama consumer (it heartbeats only while
// stable and rejoins on REBALANCE_IN_PROGRESS); member b's connection is
// closed at one step, as the kernel closes a process killed with SIGKILL. The
// round passes when, within the session timeout plus a margin, a is alone in
// the group and owns every partition.
//
// Whether the broker counts a response to a dead connection as delivered is a
// coin flip, so each step runs in several groups at once.

const (
	// The broker's minimum, and what the processors use (kafka.Sarama).
	groupSession = 6 * time.Second
	// The processors' value. Recovery must not wait for it.
	groupRebalance = 90 * time.Second
	groupHeartbeat = time.Second
	// How late past the session timeout a round may recover. Unpatched, a
	// round stalls for the rebalance timeout (90 s), so the margin can be
	// generous: on a loaded machine (make test, every round at once beside
	// the system suite, under the race detector) every one of 40 rounds once
	// missed a 5 s margin.
	groupMargin     = 30 * time.Second
	groupRounds     = 8
	groupPartitions = 4
	groupTopic      = "deaths"
)

func TestGroupDropsMemberKilledMidRebalance(t *testing.T) {
	t.Parallel()
	b := startTestBroker(t)

	// Every round at once, in goroutines rather than parallel subtests: the
	// rounds mostly wait on timers, and -parallel (GOMAXPROCS by default)
	// would run them a couple at a time.
	type outcome struct {
		took time.Duration
		err  error
	}
	outcomes := make([][groupRounds]outcome, len(deathScenarios))
	var wg sync.WaitGroup
	for si, sc := range deathScenarios {
		for r := range groupRounds {
			wg.Go(func() {
				o := &outcomes[si][r]
				o.took, o.err = runDeathRound(b.Addr(), fmt.Sprintf("deaths-%d-%d", si, r), sc.kill)
			})
		}
	}
	wg.Wait()

	for si, sc := range deathScenarios {
		t.Run(sc.name, func(t *testing.T) {
			for r, o := range outcomes[si] {
				if o.err != nil {
					t.Errorf("round %d: %v", r, o.err)
					continue
				}
				t.Logf("round %d: a alone %v after b died", r, o.took.Round(10*time.Millisecond))
			}
		})
	}
}

// startTestBroker starts the embedded broker on a loopback port between 30000
// and 31999 (the range test machines keep for tests) and stops it at the end.
func startTestBroker(t *testing.T) *Broker {
	t.Helper()
	var err error
	for range 20 {
		var b *Broker
		addr := fmt.Sprintf("127.0.0.1:%d", 30000+rand.IntN(2000))
		b, err = Start(Config{Addr: addr, DataDir: t.TempDir()}, slog.New(slog.DiscardHandler))
		if err == nil {
			t.Cleanup(b.Close)
			return b
		}
	}
	t.Fatalf("start broker: %v", err)
	return nil
}

// A deathScenario brings a and b into one group, kills b at one step of the
// protocol, and returns the step a is at: "heartbeat" (stable), "sync" (it
// has a join response) or "syncing" (its SyncGroup is in flight).
type deathScenario func(a, b *rawMember) (string, error)

var deathScenarios = []struct {
	name string
	kill deathScenario
}{
	{
		// b joins a's group and dies while its JoinGroup is parked; the
		// join phase then completes with b in it.
		name: "new follower with JoinGroup parked",
		kill: func(a, b *rawMember) (string, error) {
			if err := a.stable(); err != nil {
				return "", err
			}
			b.startJoin()
			if err := a.waitRebalance(); err != nil {
				return "", err
			}
			b.kill()
			return "sync", a.join()
		},
	},
	{
		// b, a follower, rejoins with new metadata, which starts a second
		// rebalance, and dies while its JoinGroup is parked.
		name: "follower with JoinGroup parked in a second rebalance",
		kill: func(a, b *rawMember) (string, error) {
			if err := a.stable(); err != nil {
				return "", err
			}
			if err := joinStable(a, b); err != nil {
				return "", err
			}
			b.meta++
			b.startJoin()
			if err := a.waitRebalance(); err != nil {
				return "", err
			}
			b.kill()
			return "sync", a.join()
		},
	},
	{
		// b, the leader, rejoins, which starts a rebalance, and dies while
		// its JoinGroup is parked. It stays leader: a waits in SyncGroup for
		// an assignment that never comes.
		name: "leader with JoinGroup parked",
		kill: func(a, b *rawMember) (string, error) {
			if err := b.stable(); err != nil {
				return "", err
			}
			if err := joinStable(b, a); err != nil {
				return "", err
			}
			b.startJoin()
			if err := a.waitRebalance(); err != nil {
				return "", err
			}
			b.kill()
			if err := a.join(); err != nil {
				return "", err
			}
			if a.leader == a.id {
				return "", errors.New("a became leader: the dead b should have stayed leader")
			}
			a.startSync()
			return "syncing", nil
		},
	},
	{
		// b, the leader, gets its JoinGroup response and dies before
		// SyncGroup; a waits in SyncGroup.
		name: "leader after its JoinGroup response",
		kill: func(a, b *rawMember) (string, error) {
			if err := b.stable(); err != nil {
				return "", err
			}
			a.startJoin()
			if err := b.waitRebalance(); err != nil {
				return "", err
			}
			if err := b.join(); err != nil {
				return "", err
			}
			if err := a.finishJoin(); err != nil {
				return "", err
			}
			b.kill()
			a.startSync()
			return "syncing", nil
		},
	},
	{
		// b, a follower, gets its JoinGroup response and dies before
		// SyncGroup; a, the leader, syncs and the group is stable.
		name: "follower after its JoinGroup response",
		kill: func(a, b *rawMember) (string, error) {
			if err := a.stable(); err != nil {
				return "", err
			}
			b.startJoin()
			if err := a.waitRebalance(); err != nil {
				return "", err
			}
			if err := a.join(); err != nil {
				return "", err
			}
			if err := b.finishJoin(); err != nil {
				return "", err
			}
			b.kill()
			return "sync", nil
		},
	},
	{
		// b, a follower, dies while its SyncGroup waits for the leader's.
		name: "follower with SyncGroup parked",
		kill: func(a, b *rawMember) (string, error) {
			if err := a.stable(); err != nil {
				return "", err
			}
			b.startJoin()
			if err := a.waitRebalance(); err != nil {
				return "", err
			}
			if err := a.join(); err != nil {
				return "", err
			}
			if err := b.finishJoin(); err != nil {
				return "", err
			}
			b.startSync()
			time.Sleep(100 * time.Millisecond) // parked in the broker
			b.kill()
			return "sync", nil
		},
	},
}

// runDeathRound runs one scenario in its own group and returns how long a
// took to be alone in it after b died.
func runDeathRound(addr, group string, kill deathScenario) (time.Duration, error) {
	a, err := dialMember(addr, group, "a")
	if err != nil {
		return 0, err
	}
	defer a.kill()
	b, err := dialMember(addr, group, "b")
	if err != nil {
		return 0, err
	}
	defer b.kill()

	step, err := kill(a, b)
	if err != nil {
		return 0, fmt.Errorf("set up: %w", err)
	}
	died := time.Now()
	if err := a.recoverAlone(step, died.Add(groupSession+groupMargin)); err != nil {
		return 0, fmt.Errorf("after b died at step %q: %w", step, err)
	}
	return time.Since(died), nil
}

// rawMember is one classic group member on its own connection. Its requests
// run one at a time; start* sends one in the background and the matching
// finish* waits for its answer.
type rawMember struct {
	name, group string
	broker      *sarama.Broker
	dialer      *connDialer

	pending chan result // the answer to the request in flight

	id       string
	gen      int32
	leader   string
	members  []string // what the join response listed (leader only)
	assigned []int32
	meta     byte // changes the protocol metadata, to force a rebalance
}

type result struct {
	resp any
	err  error
}

// connDialer keeps the connection it dials so the test can close it.
type connDialer struct {
	mu   sync.Mutex
	conn net.Conn
}

func (d *connDialer) Dial(network, addr string) (net.Conn, error) {
	conn, err := net.Dial(network, addr)
	d.mu.Lock()
	d.conn = conn
	d.mu.Unlock()
	return conn, err
}

func dialMember(addr, group, name string) (*rawMember, error) {
	conf := sarama.NewConfig()
	conf.ClientID = name
	conf.Version = sarama.V4_0_0_0
	// A parked JoinGroup may wait this long; the rounds have their own
	// deadlines.
	conf.Net.ReadTimeout = time.Minute
	d := &connDialer{}
	conf.Net.Proxy.Enable = true // the only way to hand sarama a dialer
	conf.Net.Proxy.Dialer = d
	b := sarama.NewBroker(addr)
	if err := b.Open(conf); err != nil {
		return nil, fmt.Errorf("%s: open: %w", name, err)
	}
	if ok, err := b.Connected(); !ok {
		return nil, fmt.Errorf("%s: connect: %w", name, err)
	}
	return &rawMember{name: name, group: group, broker: b, dialer: d}, nil
}

// kill closes the member's connection under sarama, as the kernel does for a
// process killed with SIGKILL, and gives the broker a moment to notice.
func (m *rawMember) kill() {
	m.dialer.mu.Lock()
	if m.dialer.conn != nil {
		m.dialer.conn.Close()
	}
	m.dialer.mu.Unlock()
	time.Sleep(100 * time.Millisecond)
}

func (m *rawMember) start(call func() (any, error)) {
	m.pending = make(chan result, 1)
	go func() {
		resp, err := call()
		m.pending <- result{resp, err}
	}()
}

// finish waits for the request in flight until deadline. A request still
// unanswered then is abandoned by closing the connection.
func (m *rawMember) finish(deadline time.Time) (any, error) {
	select {
	case r := <-m.pending:
		return r.resp, r.err
	case <-time.After(time.Until(deadline)):
		m.kill()
		return nil, errors.New("no response before the deadline")
	}
}

func (m *rawMember) joinRequest() *sarama.JoinGroupRequest {
	meta := &sarama.ConsumerGroupMemberMetadata{Topics: []string{groupTopic}, UserData: []byte{m.meta}}
	req := &sarama.JoinGroupRequest{
		Version:          5,
		GroupId:          m.group,
		MemberId:         m.id,
		SessionTimeout:   int32(groupSession.Milliseconds()),
		RebalanceTimeout: int32(groupRebalance.Milliseconds()),
		ProtocolType:     "consumer",
	}
	if err := req.AddGroupProtocolMetadata("range", meta); err != nil {
		panic(err) // encoding a fixed struct
	}
	return req
}

// startJoin sends a JoinGroup, which the broker parks until the join phase
// completes. A new member first trades MEMBER_ID_REQUIRED for its ID.
func (m *rawMember) startJoin() {
	m.start(func() (any, error) {
		if m.id == "" {
			resp, err := m.broker.JoinGroup(m.joinRequest())
			if err != nil {
				return nil, err
			}
			if !errors.Is(resp.Err, sarama.ErrMemberIdRequired) {
				return nil, fmt.Errorf("first join answered %w, want MEMBER_ID_REQUIRED", resp.Err)
			}
			m.id = resp.MemberId
		}
		return m.broker.JoinGroup(m.joinRequest())
	})
}

func (m *rawMember) finishJoinBy(deadline time.Time) error {
	resp, err := m.finish(deadline)
	if err != nil {
		return fmt.Errorf("%s: join: %w", m.name, err)
	}
	jr := resp.(*sarama.JoinGroupResponse)
	if !errors.Is(jr.Err, sarama.ErrNoError) {
		return fmt.Errorf("%s: join: %w", m.name, jr.Err)
	}
	m.gen, m.leader, m.members = jr.GenerationId, jr.LeaderId, nil
	for _, jm := range jr.Members {
		m.members = append(m.members, jm.MemberId)
	}
	slices.Sort(m.members)
	return nil
}

func (m *rawMember) finishJoin() error { return m.finishJoinBy(time.Now().Add(10 * time.Second)) }

func (m *rawMember) join() error {
	m.startJoin()
	return m.finishJoin()
}

// startSync sends a SyncGroup; the leader hands every partition out round
// robin over the members its join response listed.
func (m *rawMember) startSync() {
	req := &sarama.SyncGroupRequest{Version: 3, GroupId: m.group, MemberId: m.id, GenerationId: m.gen}
	if m.leader == m.id {
		for i, id := range m.members {
			var parts []int32
			for p := int32(i); p < groupPartitions; p += int32(len(m.members)) {
				parts = append(parts, p)
			}
			a := &sarama.ConsumerGroupMemberAssignment{Topics: map[string][]int32{groupTopic: parts}}
			if err := req.AddGroupAssignmentMember(id, a); err != nil {
				panic(err) // encoding a fixed struct
			}
		}
	}
	m.start(func() (any, error) { return m.broker.SyncGroup(req) })
}

// finishSyncBy returns the broker's answer to startSync, or an error if none
// came.
func (m *rawMember) finishSyncBy(deadline time.Time) (sarama.KError, error) {
	resp, err := m.finish(deadline)
	if err != nil {
		return 0, fmt.Errorf("%s: sync: %w", m.name, err)
	}
	sr := resp.(*sarama.SyncGroupResponse)
	if !errors.Is(sr.Err, sarama.ErrNoError) {
		return sr.Err, nil
	}
	a, err := sr.GetMemberAssignment()
	if err != nil {
		return 0, fmt.Errorf("%s: sync: decode assignment: %w", m.name, err)
	}
	m.assigned = slices.Sorted(slices.Values(a.Topics[groupTopic]))
	return sarama.ErrNoError, nil
}

func (m *rawMember) heartbeat(deadline time.Time) (sarama.KError, error) {
	req := &sarama.HeartbeatRequest{Version: 3, GroupId: m.group, MemberId: m.id, GenerationId: m.gen}
	m.start(func() (any, error) { return m.broker.Heartbeat(req) })
	resp, err := m.finish(deadline)
	if err != nil {
		return 0, fmt.Errorf("%s: heartbeat: %w", m.name, err)
	}
	return resp.(*sarama.HeartbeatResponse).Err, nil
}

// stable joins and syncs a member that is alone in its group.
func (m *rawMember) stable() error {
	if err := m.join(); err != nil {
		return err
	}
	m.startSync()
	return m.syncOK()
}

// waitRebalance heartbeats until the broker answers REBALANCE_IN_PROGRESS.
func (m *rawMember) waitRebalance() error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		kerr, err := m.heartbeat(deadline)
		switch {
		case err != nil:
			return err
		case errors.Is(kerr, sarama.ErrRebalanceInProgress):
			return nil
		case !errors.Is(kerr, sarama.ErrNoError):
			return fmt.Errorf("%s: heartbeat: %w", m.name, kerr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// joinStable brings b into first's stable group, leaving both stable.
func joinStable(first, b *rawMember) error {
	b.startJoin()
	if err := first.waitRebalance(); err != nil {
		return err
	}
	if err := first.join(); err != nil {
		return err
	}
	if err := b.finishJoin(); err != nil {
		return err
	}
	// The leader's sync completes the followers', so the follower goes
	// first.
	leader, follower := first, b
	if b.leader == b.id {
		leader, follower = b, first
	}
	follower.startSync()
	time.Sleep(50 * time.Millisecond)
	leader.startSync()
	if err := leader.syncOK(); err != nil {
		return err
	}
	return follower.syncOK()
}

// syncOK waits for the answer to startSync, which must be a success.
func (m *rawMember) syncOK() error {
	kerr, err := m.finishSyncBy(time.Now().Add(10 * time.Second))
	if err != nil {
		return err
	}
	if !errors.Is(kerr, sarama.ErrNoError) {
		return fmt.Errorf("%s: sync: %w", m.name, kerr)
	}
	return nil
}

// recoverAlone plays a live consumer from step until the group has
// rebalanced onto m alone and m owns every partition, or deadline passes.
func (m *rawMember) recoverAlone(step string, deadline time.Time) error {
	for time.Now().Before(deadline) {
		switch step {
		case "heartbeat":
			kerr, err := m.heartbeat(deadline)
			switch {
			case err != nil:
				return err
			case errors.Is(kerr, sarama.ErrNoError):
				time.Sleep(groupHeartbeat)
				continue
			case !errors.Is(kerr, sarama.ErrRebalanceInProgress):
				return fmt.Errorf("%s: heartbeat: %w", m.name, kerr)
			}
			if err := m.rejoin(deadline); err != nil {
				return err
			}
			step = "sync"
		case "sync", "syncing":
			if step == "sync" {
				m.startSync()
			}
			kerr, err := m.finishSyncBy(deadline)
			switch {
			case err != nil:
				return err
			case errors.Is(kerr, sarama.ErrRebalanceInProgress):
				if err := m.rejoin(deadline); err != nil {
					return err
				}
				step = "sync"
				continue
			case !errors.Is(kerr, sarama.ErrNoError):
				return fmt.Errorf("%s: sync: %w", m.name, kerr)
			}
			if m.leader == m.id && slices.Equal(m.members, []string{m.id}) && len(m.assigned) == groupPartitions {
				return nil
			}
			step = "heartbeat"
		}
	}
	return fmt.Errorf("still not alone at the deadline: generation %d, members %q, partitions %v", m.gen, m.members, m.assigned)
}

func (m *rawMember) rejoin(deadline time.Time) error {
	m.startJoin()
	return m.finishJoinBy(deadline)
}
