package systemtest

import (
	"fmt"
	"net/http"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/codementor/codementor/internal/devtest"
)

// sent is a submission and when it was sent.
type sent struct {
	id   string
	at   time.Time
	user *client
}

// submitAll sends per submissions of code from each of n learners (each
// its own user, signed in first), all at once, and returns them.
func submitAll(b testing.TB, base, prefix, question, code string, n, per int) []sent {
	b.Helper()
	users := make([]*client, n)
	for i := range users {
		users[i] = login(b, base, testUser(fmt.Sprintf("%s%d", prefix, i)), false)
	}
	out := make([]sent, n*per)
	var wg sync.WaitGroup
	for i := range out {
		u := users[i%n]
		wg.Add(1)
		go func() {
			defer wg.Done()
			at := time.Now()
			out[i] = sent{id: u.submit(b, question, "python", code).ID, at: at, user: u}
		}()
	}
	wg.Wait()
	return out
}

// finals waits for every submission of subs to be final and returns when
// each was.
func finals(b testing.TB, admin *client, subs []sent, within time.Duration) []time.Time {
	b.Helper()
	ids := make([]string, len(subs))
	for i, s := range subs {
		ids[i] = s.id
	}
	at := poll(b, admin, ids, within)
	out := make([]time.Time, len(subs))
	for i, s := range subs {
		out[i] = at[s.id]
	}
	return out
}

func latest(ts []time.Time) time.Time {
	return slices.MaxFunc(ts, func(a, b time.Time) int { return a.Compare(b) })
}

// BenchmarkSlowQuickMix: one dev process with 16 judging slots on 12
// partitions; 24 submissions that wait 5 s, then 12 quick ones from 12
// other learners. The slow ones come from 3 learners (8 each, their
// limit), or from 24 learners (one each). Reports when the slow ones were
// all done and how long the quick ones took, at most.
func BenchmarkSlowQuickMix(b *testing.B) {
	for _, slowLearners := range []int{3, 24} {
		b.Run(fmt.Sprintf("slow-from-%d", slowLearners), func(b *testing.B) {
			for range b.N {
				cfg := devConfig(b, b.TempDir())
				cfg.MaxConcurrent, cfg.Partitions = 16, 12
				in := devtest.Launch(b, cfg, devtest.Ready)
				admin := login(b, in.Base, testUser("admin"), true)
				q := sleepy(b, admin)
				start := time.Now()
				slow := submitAll(b, in.Base, "slow", q, sleeper(5*time.Second), slowLearners, 24/slowLearners)
				quick := submitAll(b, in.Base, "quick", q, sleeper(0), 12, 1)
				// Both at once: each is seen final within 50 ms of becoming so.
				done := finals(b, admin, append(slices.Clone(slow), quick...), 2*time.Minute)
				slowDone := latest(done[:len(slow)])
				var worst time.Duration
				for i, at := range done[len(slow):] {
					worst = max(worst, at.Sub(quick[i].at))
				}
				b.ReportMetric(slowDone.Sub(start).Seconds(), "slow-done-s")
				b.ReportMetric(worst.Seconds(), "quick-max-s")
				in.Stop()
			}
		})
	}
}

// BenchmarkSlowOnThreeProcessors: three processor processes with 12 slots
// each, every topic on 2 partitions, the queues on 2 or on 1; 36 learners
// each send a submission that waits 5 s. Reports when all were done.
func BenchmarkSlowOnThreeProcessors(b *testing.B) {
	for _, queuePartitions := range []string{"2", "1"} {
		b.Run("queue-partitions-"+queuePartitions, func(b *testing.B) { slowOnThreeProcessors(b, queuePartitions) })
	}
}

func slowOnThreeProcessors(b *testing.B, queuePartitions string) {
	for range b.N {
		if externalBrokers() != nil {
			b.Skip("the topics of a shared cluster have their partition counts already")
		}
		c := newCluster(b, "CODEMENTOR_PARTITIONS=2", "CODEMENTOR_QUEUE_PARTITIONS="+queuePartitions)
		for range 3 {
			c.waitReady(c.addProcessor("--max-concurrent", "12"))
		}
		c.web = c.addWeb()
		admin := login(b, c.web, testUser("admin"), true)
		q := sleepy(b, admin)
		start := time.Now()
		subs := submitAll(b, c.web, "slow", q, sleeper(5*time.Second), 36, 1)
		b.ReportMetric(latest(finals(b, admin, subs, 3*time.Minute)).Sub(start).Seconds(), "all-done-s")
	}
}

// BenchmarkFlood: one dev process with 2 slots; a learner sends 60
// submissions that wait 5 s at once, another learner a correct a-plus-b
// right after. Reports how many were refused (429) and how long the other
// learner's took.
func BenchmarkFlood(b *testing.B) {
	for range b.N {
		in := devtest.Launch(b, devConfig(b, b.TempDir()), devtest.Ready)
		admin := login(b, in.Base, testUser("admin"), true)
		q := sleepy(b, admin)
		alice := login(b, in.Base, testUser("alice"), false)
		refused := 0
		var wg sync.WaitGroup
		var mu sync.Mutex
		for range 60 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				status, header, _ := alice.raw(b, "POST", "/api/submissions", map[string]string{"question_id": q, "language": "python", "code": sleeper(5 * time.Second)})
				if status == http.StatusTooManyRequests && header.Get("Retry-After") != "" {
					mu.Lock()
					refused++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		other := submitAll(b, in.Base, "bob", "a-plus-b", aPlusB, 1, 1)
		done := finals(b, admin, other, time.Minute)
		b.ReportMetric(float64(refused), "refused")
		b.ReportMetric(done[0].Sub(other[0].at).Seconds(), "other-s")
		in.Stop()
	}
}

// BenchmarkKillJudgeHoldingJobs: two processors with 4 slots each; 8
// learners send submissions that wait 3 s; once the first processor holds
// jobs it is killed with SIGKILL. Reports the time from the kill until all
// 8 were final.
func BenchmarkKillJudgeHoldingJobs(b *testing.B) {
	for range b.N {
		c := newCluster(b)
		for range 2 {
			c.waitReady(c.addProcessor("--max-concurrent", "4"))
		}
		c.web = c.addWeb()
		admin := login(b, c.web, testUser("admin"), true)
		q := sleepy(b, admin)
		subs := submitAll(b, c.web, "held", q, sleeper(3*time.Second), 8, 1)
		victim := c.processors[0]
		deadline := time.Now().Add(30 * time.Second)
		for scrape(b, http.DefaultClient, victim.ops+"/metrics")[`codementor_queue_jobs_in_flight{group="judge"}`] < 1 {
			if time.Now().After(deadline) {
				b.Fatal("the first processor took no job within 30 s")
			}
			time.Sleep(20 * time.Millisecond)
		}
		victim.signal(syscall.SIGKILL)
		killed := time.Now()
		b.ReportMetric(latest(finals(b, admin, subs, time.Minute)).Sub(killed).Seconds(), "after-kill-s")
	}
}
