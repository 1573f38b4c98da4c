package autoscale

import (
	"math"
	"time"
)

// Controller is what Kubernetes and KEDA keep about the processors'
// autoscaling between two decisions: the deployment's replicas, the HPA
// controller's recent recommendations and scale events, and when KEDA last
// saw its trigger active. Sync is one reconcile of the HPA, Poll one
// polling loop of KEDA; both take the metric's value as the caller's
// Prometheus would answer it then.
//
// It follows, in Go without the API machinery, kubernetes/kubernetes
// pkg/controller/podautoscaler:
//   - replica_calculator.go, GetExternalPerPodMetricReplicas: an External
//     metric with an AverageValue target (what KEDA's prometheus trigger
//     with metricType AverageValue becomes);
//   - horizontal.go, reconcileAutoscaler (the min/max branches, storing a
//     scale event on every rescale), normalizeDesiredReplicasWithBehaviors,
//     stabilizeRecommendationWithBehaviors (its current form, which bounds
//     the recommendation by both windows), convertDesiredReplicasWithBehaviorRate,
//     calculateScaleUpLimitWithScalingRules and
//     calculateScaleDownLimitWithBehaviors (both counting the other
//     direction's events of the period too), getReplicasChangePerPeriod;
//
// and kedacore/keda pkg/scaling/executor/scale_scaledobjects.go
// (RequestScale, scaleFromZeroOrIdle: from 0 to max(minReplicaCount, 1)
// when a trigger is active; scaleToZeroOrIdle: to 0 after cooldownPeriod
// without one when minReplicaCount is 0; idleReplicaCount and fallback,
// which the chart does not set, left out) with the prometheus scaler's
// activity (value > activationThreshold, pkg/scalers/prometheus_scaler.go). KEDA gives the HPA it creates
// minReplicas max(minReplicaCount, 1), and the HPA leaves a deployment at 0
// replicas alone.
//
// Times are durations since the start of the simulation.
type Controller struct {
	rule     Rule
	replicas int

	recs  []recommendation
	ups   []scaleEvent // scale-ups: pods added
	downs []scaleEvent // scale-downs: pods removed

	active     bool // KEDA has seen the trigger active at least once
	lastActive time.Duration
}

type recommendation struct {
	at       time.Duration
	replicas int
}

type scaleEvent struct {
	at     time.Duration
	change int
}

// NewController starts the autoscaling of a deployment at replicas, now.
// Like the HPA controller's recordInitialRecommendation, the current
// replicas are the first recommendation.
func NewController(rule Rule, replicas int, now time.Duration) *Controller {
	return &Controller{rule: rule, replicas: replicas, recs: []recommendation{{now, replicas}}}
}

// Replicas is the deployment's replicas (spec.replicas) now.
func (c *Controller) Replicas() int { return c.replicas }

// Decision is what one reconcile of the HPA computed.
type Decision struct {
	// Proposal is the replica calculator's: ceil(metric / target), or the
	// current replicas while the usage ratio is within the tolerance
	// (-1: the HPA did not compute one: scaling disabled at 0 replicas, or
	// outside [min, max]).
	Proposal int
	// Stabilized is the proposal within the stabilization windows' bounds.
	Stabilized int
	// Replicas is the deployment's replicas after the reconcile.
	Replicas int
}

// hpaMin is the minReplicas of the HPA that KEDA creates.
func (c *Controller) hpaMin() int { return max(c.rule.MinReplicas, 1) }

// Sync is one reconcile of the HPA at now, with metric the trigger's value.
func (c *Controller) Sync(now time.Duration, metric float64) Decision {
	current := c.replicas
	minR, maxR := c.hpaMin(), c.rule.MaxReplicas
	d := Decision{Proposal: -1, Stabilized: -1}
	var desired int
	switch {
	case current == 0:
		// "scaling is disabled since the replica count of the target is
		// zero": KEDA's to wake it.
		d.Replicas = 0
		return d
	case current > maxR:
		desired = maxR
	case current < minR:
		desired = minR
	default:
		d.Proposal = c.proposal(metric)
		d.Stabilized = c.stabilize(now, d.Proposal)
		desired = c.limitRate(now, d.Stabilized)
	}
	if desired != current {
		c.storeScaleEvent(now, current, desired)
		c.replicas = desired
	}
	d.Replicas = c.replicas
	return d
}

// proposal is GetExternalPerPodMetricReplicas: the usage ratio is the
// metric over the target times the current replicas; outside the
// tolerance, ceil(metric / target) replicas.
func (c *Controller) proposal(metric float64) int {
	status := c.replicas
	ratio := metric / (c.rule.QueueDepthPerReplica * float64(status))
	if math.Abs(1-ratio) > c.rule.Tolerance {
		return int(math.Ceil(metric / c.rule.QueueDepthPerReplica))
	}
	return status
}

// stabilize is stabilizeRecommendationWithBehaviors: the recommendation is
// the current replicas brought up to the lowest recommendation of the
// scale-up window and down to the highest of the scale-down window (both
// windows including this one); then this one is recorded.
func (c *Controller) stabilize(now time.Duration, proposal int) int {
	up, down := proposal, proposal
	upCutoff := now - c.rule.ScaleUp.StabilizationWindow
	downCutoff := now - c.rule.ScaleDown.StabilizationWindow
	kept := c.recs[:0]
	for _, r := range c.recs {
		if r.at > upCutoff {
			up = min(up, r.replicas)
		}
		if r.at > downCutoff {
			down = max(down, r.replicas)
		}
		// Upstream reuses the slot of one sample older than both windows;
		// dropping them all is the same, since no window sees them again.
		if r.at > upCutoff || r.at > downCutoff {
			kept = append(kept, r)
		}
	}
	c.recs = append(kept, recommendation{now, proposal})
	rec := c.replicas
	if rec < up {
		rec = up
	}
	if rec > down {
		rec = down
	}
	return rec
}

// limitRate is convertDesiredReplicasWithBehaviorRate: the policies'
// limit on the change over their periods, and [min, max].
func (c *Controller) limitRate(now time.Duration, desired int) int {
	current := c.replicas
	switch {
	case desired > current:
		limit := max(c.scaleUpLimit(now), current)
		return min(desired, min(c.rule.MaxReplicas, limit))
	case desired < current:
		limit := min(c.scaleDownLimit(now), current)
		return max(desired, max(c.hpaMin(), limit))
	}
	return desired
}

// periodStart is the replicas at the start of a policy's period: the
// current ones less what was added within it, plus what was removed.
func (c *Controller) periodStart(now, period time.Duration) int {
	return c.replicas - changeWithin(c.ups, now, period) + changeWithin(c.downs, now, period)
}

// scaleUpLimit is calculateScaleUpLimitWithScalingRules with selectPolicy
// Max: the most replicas any policy allows.
func (c *Controller) scaleUpLimit(now time.Duration) int {
	limit := math.MinInt
	for _, p := range c.rule.ScaleUp.Policies {
		start := c.periodStart(now, p.Period)
		var proposed int
		switch p.Type {
		case Pods:
			proposed = start + p.Value
		case Percent:
			// Rounded up, so that a small deployment can grow at all.
			proposed = int(math.Ceil(float64(start) * (1 + float64(p.Value)/100)))
		}
		limit = max(limit, proposed)
	}
	return limit
}

// scaleDownLimit is calculateScaleDownLimitWithBehaviors with selectPolicy
// Max: the fewest replicas any policy allows.
func (c *Controller) scaleDownLimit(now time.Duration) int {
	limit := math.MaxInt
	for _, p := range c.rule.ScaleDown.Policies {
		start := c.periodStart(now, p.Period)
		var proposed int
		switch p.Type {
		case Pods:
			proposed = start - p.Value
		case Percent:
			// Truncated, as upstream's int32 conversion does.
			proposed = int(float64(start) * (1 - float64(p.Value)/100))
		}
		limit = min(limit, proposed)
	}
	return limit
}

// changeWithin is getReplicasChangePerPeriod: the change of the events
// after now - period.
func changeWithin(events []scaleEvent, now, period time.Duration) int {
	n := 0
	for _, e := range events {
		if e.at > now-period {
			n += e.change
		}
	}
	return n
}

// storeScaleEvent records a rescale from prev to next, dropping the events
// older than every policy's period (upstream marks them outdated and
// reuses their slots).
func (c *Controller) storeScaleEvent(now time.Duration, prev, next int) {
	prune := func(events []scaleEvent, b Behavior) []scaleEvent {
		var longest time.Duration
		for _, p := range b.Policies {
			longest = max(longest, p.Period)
		}
		kept := events[:0]
		for _, e := range events {
			if e.at >= now-longest {
				kept = append(kept, e)
			}
		}
		return kept
	}
	if next > prev {
		c.ups = append(prune(c.ups, c.rule.ScaleUp), scaleEvent{now, next - prev})
	} else {
		c.downs = append(prune(c.downs, c.rule.ScaleDown), scaleEvent{now, prev - next})
	}
}

// Poll is one polling loop of KEDA at now, with metric the trigger's
// value: the trigger is active while the metric is above
// activationQueueDepth. From 0 replicas an active trigger scales to
// max(minReplicas, 1); with minReplicas 0, no active trigger for
// cooldownPeriod scales to 0 (at once if it was never active, as KEDA does
// without a lastActiveTime); below minReplicas, to minReplicas.
func (c *Controller) Poll(now time.Duration, metric float64) {
	active := metric > c.rule.ActivationQueueDepth
	switch {
	case c.replicas == 0 && active:
		c.replicas = max(c.rule.MinReplicas, 1)
	case !active && c.replicas > 0 && c.rule.MinReplicas == 0:
		if !c.active || c.lastActive+c.rule.CooldownPeriod < now {
			c.replicas = 0
		}
	case !active && c.replicas < c.rule.MinReplicas:
		c.replicas = c.rule.MinReplicas
	}
	if active {
		c.active, c.lastActive = true, now
	}
}
