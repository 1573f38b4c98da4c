package kfake

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// These tests kill a classic group member at each step of the join/sync
// protocol and require the group to drop it within its session timeout, the
// way Kafka's classic group coordinator does:
//
//   - every member's session deadline is (re)armed when the join phase
//     completes and when the sync phase completes, whether or not the
//     response reached the member;
//   - a member waiting in JoinGroup or SyncGroup satisfies its heartbeat
//     (ClassicGroupMember.hasSatisfiedHeartbeat), so a live follower waiting
//     on a dead leader's SyncGroup is not expired alongside it.
//
// The survivor behaves like a sarama or kgo consumer: it heartbeats only while
// stable, and rejoins when a heartbeat or sync answers REBALANCE_IN_PROGRESS.
//
// Whether a response to a dead connection counts as delivered is a coin flip
// in kfake (the reply races the connection's done channel), so each scenario
// runs in several groups at once.

const (
	expireSession   = 2 * time.Second
	expireRebalance = 60 * time.Second // far beyond the deadline: recovery must not wait for it
	expireHeartbeat = expireSession / 4
	expireMargin    = 3 * time.Second
	expireRounds    = 10
	expireParts     = 4
	expireTopic     = "expire-topic"
)

// rawMember is one classic group member on its own connection, speaking the
// protocol by hand so a test can stop it at any step.
type rawMember struct {
	name  string
	group string
	conn  net.Conn
	corr  int32

	id       string
	gen      int32
	leader   string
	members  []string // the members the join response listed (leader only)
	assigned []int32
	meta     byte // changes the protocol metadata, to force a rebalance
}

// roundFailure carries a round's failure out of its goroutine: a round runs
// off the test goroutine, where t.Fatal must not be called.
type roundFailure struct{ err error }

func fatalf(format string, args ...any) {
	panic(roundFailure{fmt.Errorf(format, args...)})
}

func must(err error) {
	if err != nil {
		panic(roundFailure{err})
	}
}

func newRawMember(c *Cluster, group, name string) *rawMember {
	conn, err := net.Dial("tcp", c.ListenAddrs()[0])
	if err != nil {
		fatalf("%s: dial: %v", name, err)
	}
	return &rawMember{name: name, group: group, conn: conn}
}

// send writes req without waiting for its response.
func (m *rawMember) send(req kmsg.Request) {
	m.corr++
	buf := kmsg.NewRequestFormatter(kmsg.FormatterClientID(m.name)).AppendRequest(nil, req, m.corr)
	if _, err := m.conn.Write(buf); err != nil {
		fatalf("%s: write %s: %v", m.name, kmsg.NameForKey(req.Key()), err)
	}
}

// recv reads the response to the last request sent, waiting at most until
// deadline.
func (m *rawMember) recv(req kmsg.Request, deadline time.Time) (kmsg.Response, error) {
	m.conn.SetReadDeadline(deadline)
	var size [4]byte
	if _, err := io.ReadFull(m.conn, size[:]); err != nil {
		return nil, err
	}
	body := make([]byte, binary.BigEndian.Uint32(size[:]))
	if _, err := io.ReadFull(m.conn, body); err != nil {
		return nil, err
	}
	if corr := int32(binary.BigEndian.Uint32(body)); corr != m.corr {
		return nil, fmt.Errorf("correlation %d, want %d", corr, m.corr)
	}
	resp := req.ResponseKind()
	resp.SetVersion(req.GetVersion())
	if err := resp.ReadFrom(body[4:]); err != nil {
		return nil, err
	}
	return resp, nil
}

func (m *rawMember) roundTrip(req kmsg.Request, deadline time.Time) (kmsg.Response, error) {
	m.send(req)
	return m.recv(req, deadline)
}

// kill drops the member's connection, as the kernel does for a process
// killed with SIGKILL, and gives the broker a moment to notice.
func (m *rawMember) kill() {
	m.conn.Close()
	time.Sleep(100 * time.Millisecond)
}

func (m *rawMember) joinRequest() *kmsg.JoinGroupRequest {
	req := kmsg.NewPtrJoinGroupRequest()
	req.SetVersion(5)
	req.Group = m.group
	req.MemberID = m.id
	req.SessionTimeoutMillis = int32(expireSession.Milliseconds())
	req.RebalanceTimeoutMillis = int32(expireRebalance.Milliseconds())
	req.ProtocolType = "consumer"
	meta := kmsg.NewConsumerMemberMetadata()
	meta.Topics = []string{expireTopic}
	meta.UserData = []byte{m.meta}
	proto := kmsg.NewJoinGroupRequestProtocol()
	proto.Name = "range"
	proto.Metadata = meta.AppendTo(nil)
	req.Protocols = append(req.Protocols, proto)
	return req
}

// startJoin sends a JoinGroup that the broker parks until the join phase
// completes. A new member first trades MEMBER_ID_REQUIRED for its ID.
func (m *rawMember) startJoin() *kmsg.JoinGroupRequest {
	if m.id == "" {
		req := m.joinRequest()
		resp, err := m.roundTrip(req, time.Now().Add(5*time.Second))
		if err != nil {
			fatalf("%s: first join: %v", m.name, err)
		}
		jr := resp.(*kmsg.JoinGroupResponse)
		if jr.ErrorCode != kerr.MemberIDRequired.Code {
			fatalf("%s: first join answered %v, want MEMBER_ID_REQUIRED", m.name, kerr.ErrorForCode(jr.ErrorCode))
		}
		m.id = jr.MemberID
	}
	req := m.joinRequest()
	m.send(req)
	return req
}

// finishJoin reads the response to startJoin.
func (m *rawMember) finishJoin(req *kmsg.JoinGroupRequest, deadline time.Time) error {
	resp, err := m.recv(req, deadline)
	if err != nil {
		return fmt.Errorf("%s: join: %w", m.name, err)
	}
	jr := resp.(*kmsg.JoinGroupResponse)
	if jr.ErrorCode != 0 {
		return fmt.Errorf("%s: join: %w", m.name, kerr.ErrorForCode(jr.ErrorCode))
	}
	m.gen, m.leader, m.members = jr.Generation, jr.LeaderID, nil
	for _, jm := range jr.Members {
		m.members = append(m.members, jm.MemberID)
	}
	slices.Sort(m.members)
	return nil
}

func (m *rawMember) join(deadline time.Time) error {
	return m.finishJoin(m.startJoin(), deadline)
}

// startSync sends the SyncGroup; the leader hands out every partition round
// robin over the members its join response listed.
func (m *rawMember) startSync() *kmsg.SyncGroupRequest {
	req := kmsg.NewPtrSyncGroupRequest()
	req.SetVersion(3)
	req.Group = m.group
	req.MemberID = m.id
	req.Generation = m.gen
	if m.leader == m.id {
		for i, id := range m.members {
			a := kmsg.NewConsumerMemberAssignment()
			at := kmsg.NewConsumerMemberAssignmentTopic()
			at.Topic = expireTopic
			for p := int32(i); p < expireParts; p += int32(len(m.members)) {
				at.Partitions = append(at.Partitions, p)
			}
			a.Topics = append(a.Topics, at)
			ga := kmsg.NewSyncGroupRequestGroupAssignment()
			ga.MemberID = id
			ga.MemberAssignment = a.AppendTo(nil)
			req.GroupAssignment = append(req.GroupAssignment, ga)
		}
	}
	m.send(req)
	return req
}

// finishSync reads the response to startSync. It returns the error code the
// broker answered, or an error if none came.
func (m *rawMember) finishSync(req *kmsg.SyncGroupRequest, deadline time.Time) (int16, error) {
	resp, err := m.recv(req, deadline)
	if err != nil {
		return 0, fmt.Errorf("%s: sync: %w", m.name, err)
	}
	sr := resp.(*kmsg.SyncGroupResponse)
	if sr.ErrorCode != 0 {
		return sr.ErrorCode, nil
	}
	var a kmsg.ConsumerMemberAssignment
	if err := a.ReadFrom(sr.MemberAssignment); err != nil {
		return 0, fmt.Errorf("%s: sync: decode assignment: %w", m.name, err)
	}
	m.assigned = nil
	for _, at := range a.Topics {
		m.assigned = append(m.assigned, at.Partitions...)
	}
	slices.Sort(m.assigned)
	return 0, nil
}

func (m *rawMember) sync(deadline time.Time) (int16, error) {
	return m.finishSync(m.startSync(), deadline)
}

func (m *rawMember) heartbeat(deadline time.Time) (int16, error) {
	req := kmsg.NewPtrHeartbeatRequest()
	req.SetVersion(3)
	req.Group = m.group
	req.MemberID = m.id
	req.Generation = m.gen
	resp, err := m.roundTrip(req, deadline)
	if err != nil {
		return 0, fmt.Errorf("%s: heartbeat: %w", m.name, err)
	}
	return resp.(*kmsg.HeartbeatResponse).ErrorCode, nil
}

// stable joins and syncs until the group is stable with the member in it.
func (m *rawMember) stable() {
	deadline := time.Now().Add(5 * time.Second)
	if err := m.join(deadline); err != nil {
		must(err)
	}
	if code, err := m.sync(deadline); err != nil || code != 0 {
		fatalf("%s: sync: %v %v", m.name, err, kerr.ErrorForCode(code))
	}
}

// rebalanceSeen heartbeats until the broker answers REBALANCE_IN_PROGRESS.
func (m *rawMember) rebalanceSeen() {
	deadline := time.Now().Add(5 * time.Second)
	for {
		code, err := m.heartbeat(deadline)
		if err != nil {
			must(err)
		}
		if code == kerr.RebalanceInProgress.Code {
			return
		}
		if code != 0 {
			fatalf("%s: heartbeat: %v", m.name, kerr.ErrorForCode(code))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var errNoResponse = errors.New("no response")

// recoverAlone plays a live consumer from the given step until the group has
// rebalanced onto it alone and it owns every partition, or deadline passes.
// step is "heartbeat" (stable), "sync" (has a join response) or "syncing"
// (its SyncGroup, req, is in flight).
func (m *rawMember) recoverAlone(step string, req *kmsg.SyncGroupRequest, deadline time.Time) error {
	for time.Now().Before(deadline) {
		switch step {
		case "heartbeat":
			code, err := m.heartbeat(deadline)
			if err != nil {
				return err
			}
			switch code {
			case 0:
				time.Sleep(expireHeartbeat)
				continue
			case kerr.RebalanceInProgress.Code:
			default:
				return fmt.Errorf("%s: heartbeat: %w", m.name, kerr.ErrorForCode(code))
			}
			if err := m.join(deadline); err != nil {
				return err
			}
			step = "sync"
		case "sync", "syncing":
			if step == "sync" {
				req = m.startSync()
			}
			code, err := m.finishSync(req, deadline)
			if err != nil {
				return err
			}
			if code == kerr.RebalanceInProgress.Code {
				if err := m.join(deadline); err != nil {
					return err
				}
				step = "sync"
				continue
			}
			if code != 0 {
				return fmt.Errorf("%s: sync: %w", m.name, kerr.ErrorForCode(code))
			}
			if m.leader == m.id && slices.Equal(m.members, []string{m.id}) && len(m.assigned) == expireParts {
				return nil
			}
			step = "heartbeat"
		}
	}
	return fmt.Errorf("%s: deadline passed: generation %d, leader %q, members %q, partitions %v: %w",
		m.name, m.gen, m.leader, m.members, m.assigned, errNoResponse)
}

// expireScenario sets up a group of a and b, kills b at one protocol step,
// and returns the step a is at and its SyncGroup if one is in flight.
type expireScenario func(a, b *rawMember) (step string, req *kmsg.SyncGroupRequest)

var expireScenarios = []struct {
	name string
	run  expireScenario
}{
	{
		// A new member whose JoinGroup is parked dies; the join phase
		// then completes with it. Its JoinGroup response never arrives,
		// and nothing armed its session deadline.
		"new follower dies with JoinGroup parked",
		func(a, b *rawMember) (string, *kmsg.SyncGroupRequest) {
			a.stable()
			b.startJoin()
			a.rebalanceSeen()
			b.kill()
			if err := a.join(time.Now().Add(5 * time.Second)); err != nil {
				must(err)
			}
			return "sync", nil
		},
	},
	{
		// A follower triggers a second rebalance (new metadata) and dies
		// while its JoinGroup is parked.
		"follower dies with JoinGroup parked in a second rebalance",
		func(a, b *rawMember) (string, *kmsg.SyncGroupRequest) {
			a.stable()
			joinBoth(a, b)
			b.meta++
			b.startJoin()
			a.rebalanceSeen()
			b.kill()
			if err := a.join(time.Now().Add(5 * time.Second)); err != nil {
				must(err)
			}
			return "sync", nil
		},
	},
	{
		// The leader rejoins, which starts a rebalance, and dies with its
		// JoinGroup parked. It stays leader; the follower waits in
		// SyncGroup for an assignment that never comes.
		"leader dies with JoinGroup parked",
		func(a, b *rawMember) (string, *kmsg.SyncGroupRequest) {
			b.stable()
			joinBoth(b, a)
			b.startJoin()
			a.rebalanceSeen()
			b.kill()
			if err := a.join(time.Now().Add(5 * time.Second)); err != nil {
				must(err)
			}
			if a.leader == a.id {
				fatalf("the dead member should have stayed leader")
			}
			return "syncing", a.startSync()
		},
	},
	{
		// The leader receives its JoinGroup response and dies before
		// SyncGroup; the follower waits in SyncGroup.
		"leader dies after its JoinGroup response",
		func(a, b *rawMember) (string, *kmsg.SyncGroupRequest) {
			b.stable()
			ja := a.startJoin()
			b.rebalanceSeen()
			if err := b.join(time.Now().Add(5 * time.Second)); err != nil {
				must(err)
			}
			if err := a.finishJoin(ja, time.Now().Add(5*time.Second)); err != nil {
				must(err)
			}
			b.kill()
			return "syncing", a.startSync()
		},
	},
	{
		// A follower receives its JoinGroup response and dies before
		// SyncGroup; the leader syncs and the group goes stable.
		"follower dies after its JoinGroup response",
		func(a, b *rawMember) (string, *kmsg.SyncGroupRequest) {
			a.stable()
			jb := b.startJoin()
			a.rebalanceSeen()
			if err := a.join(time.Now().Add(5 * time.Second)); err != nil {
				must(err)
			}
			if err := b.finishJoin(jb, time.Now().Add(5*time.Second)); err != nil {
				must(err)
			}
			b.kill()
			return "sync", nil
		},
	},
	{
		// A follower's SyncGroup is parked waiting for the leader and the
		// follower dies; the leader then syncs.
		"follower dies with SyncGroup parked",
		func(a, b *rawMember) (string, *kmsg.SyncGroupRequest) {
			a.stable()
			jb := b.startJoin()
			a.rebalanceSeen()
			if err := a.join(time.Now().Add(5 * time.Second)); err != nil {
				must(err)
			}
			if err := b.finishJoin(jb, time.Now().Add(5*time.Second)); err != nil {
				must(err)
			}
			b.startSync()
			time.Sleep(100 * time.Millisecond) // parked
			b.kill()
			return "sync", nil
		},
	},
}

// joinBoth brings b into first's stable group: b joins, first rejoins, both
// sync.
func joinBoth(first, b *rawMember) {
	deadline := time.Now().Add(5 * time.Second)
	jb := b.startJoin()
	first.rebalanceSeen()
	if err := first.join(deadline); err != nil {
		must(err)
	}
	if err := b.finishJoin(jb, deadline); err != nil {
		must(err)
	}
	// The leader's sync completes the followers', so sync followers first.
	leader, follower := first, b
	if b.leader == b.id {
		leader, follower = b, first
	}
	sf := follower.startSync()
	time.Sleep(50 * time.Millisecond)
	if code, err := leader.sync(deadline); err != nil || code != 0 {
		fatalf("%s: sync: %v %v", leader.name, err, kerr.ErrorForCode(code))
	}
	if code, err := follower.finishSync(sf, deadline); err != nil || code != 0 {
		fatalf("%s: sync: %v %v", follower.name, err, kerr.ErrorForCode(code))
	}
}

func TestCodementorClassicMemberDiesMidRebalance(t *testing.T) {
	t.Parallel()
	c := newCluster(t, NumBrokers(1), SeedTopics(expireParts, expireTopic), GroupMinSessionTimeout(time.Second), ListenFn(listenLoopback))

	// Every round at once, in goroutines rather than parallel subtests: the
	// rounds mostly wait on timers, and -parallel would run a few at a time.
	type outcome struct {
		took time.Duration
		err  error
	}
	outcomes := make([][expireRounds]outcome, len(expireScenarios))
	var wg sync.WaitGroup
	for si, sc := range expireScenarios {
		for r := range expireRounds {
			wg.Go(func() {
				o := &outcomes[si][r]
				o.took, o.err = runExpireRound(c, fmt.Sprintf("expire-%d-%d", si, r), sc.run)
			})
		}
	}
	wg.Wait()

	for si, sc := range expireScenarios {
		t.Run(sc.name, func(t *testing.T) {
			for r, o := range outcomes[si] {
				if o.err != nil {
					t.Errorf("round %d: %v", r, o.err)
					continue
				}
				t.Logf("round %d: alone %v after the kill", r, o.took.Round(10*time.Millisecond))
			}
		})
	}
}

// listenLoopback listens on a loopback port between 30000 and 31999 rather
// than an ephemeral one, for machines that reserve that range for tests.
func listenLoopback(network, _ string) (net.Listener, error) {
	var err error
	for range 50 {
		var ln net.Listener
		if ln, err = net.Listen(network, fmt.Sprintf("127.0.0.1:%d", 30000+rand.IntN(2000))); err == nil {
			return ln, nil
		}
	}
	return nil, err
}

// runExpireRound runs one scenario in its own group and returns how long the
// survivor took to have the group to itself after the kill.
func runExpireRound(c *Cluster, group string, sc expireScenario) (took time.Duration, err error) {
	defer func() {
		if r := recover(); r != nil {
			f, ok := r.(roundFailure)
			if !ok {
				panic(r)
			}
			err = f.err
		}
	}()
	a := newRawMember(c, group, "a")
	defer a.conn.Close()
	b := newRawMember(c, group, "b")
	defer b.conn.Close()
	step, req := sc(a, b)
	killed := time.Now()
	if err := a.recoverAlone(step, req, killed.Add(expireSession+expireMargin)); err != nil {
		return 0, err
	}
	return time.Since(killed), nil
}
