package autoscale

import (
	"errors"
	"fmt"
	"os"
	"time"

	"go.yaml.in/yaml/v3"
)

// Kubernetes' own settings that the chart does not set, at their defaults.
const (
	// DefaultTolerance is the HPA's tolerance: no change while the usage
	// ratio is within 10% of 1 (kube-controller-manager's
	// --horizontal-pod-autoscaler-tolerance).
	DefaultTolerance = 0.1
	// DefaultSyncPeriod is how often the HPA controller reconciles an HPA
	// (--horizontal-pod-autoscaler-sync-period).
	DefaultSyncPeriod = 15 * time.Second
)

// PolicyType is the kind of a scaling policy: a number of pods, or a
// percentage of the replicas at the start of the period.
type PolicyType string

// The two policy types of autoscaling/v2 HPAScalingPolicy.
const (
	Pods    PolicyType = "Pods"
	Percent PolicyType = "Percent"
)

// Policy is one HPAScalingPolicy: at most Value pods, or Value percent, of
// change over any Period.
type Policy struct {
	Type   PolicyType
	Value  int
	Period time.Duration
}

// Behavior is one direction of the HPA's behavior (HPAScalingRules) with
// selectPolicy Max, the default and what the chart renders: the policy that
// allows the largest change applies.
type Behavior struct {
	StabilizationWindow time.Duration
	Policies            []Policy
}

// Rule is the processors' autoscaling: KEDA's ScaledObject for the judging
// queue, as the chart renders it from values.yaml, and the Kubernetes
// defaults it leaves alone.
type Rule struct {
	MinReplicas, MaxReplicas int
	// QueueDepthPerReplica is the trigger's threshold: with metricType
	// AverageValue the HPA wants ceil(depth / QueueDepthPerReplica) replicas.
	QueueDepthPerReplica float64
	// ActivationQueueDepth: KEDA takes the deployment from 0 replicas to 1
	// when the depth is above it, and back to 0 after CooldownPeriod below
	// it. Only with MinReplicas 0; above 0 replicas the HPA decides.
	ActivationQueueDepth float64
	// PollingInterval is how often KEDA checks activation.
	PollingInterval time.Duration
	CooldownPeriod  time.Duration
	ScaleUp         Behavior
	ScaleDown       Behavior
	// Tolerance and SyncPeriod are the HPA controller's (DefaultTolerance,
	// DefaultSyncPeriod).
	Tolerance  float64
	SyncPeriod time.Duration
}

// values is the part of the chart's values.yaml that the rule comes from.
// Pointers: a key missing from the file is an error, not a zero.
type values struct {
	Processor struct {
		Autoscaling struct {
			Enabled              *bool          `yaml:"enabled"`
			MinReplicas          *int           `yaml:"minReplicas"`
			MaxReplicas          *int           `yaml:"maxReplicas"`
			QueueDepthPerReplica *float64       `yaml:"queueDepthPerReplica"`
			ActivationQueueDepth *float64       `yaml:"activationQueueDepth"`
			PollingInterval      *int           `yaml:"pollingInterval"`
			CooldownPeriod       *int           `yaml:"cooldownPeriod"`
			ScaleUp              behaviorValues `yaml:"scaleUp"`
			ScaleDown            behaviorValues `yaml:"scaleDown"`
		} `yaml:"autoscaling"`
	} `yaml:"processor"`
}

// behaviorValues is one direction's values: its window, and its policies
// over one period.
type behaviorValues struct {
	StabilizationWindowSeconds *int `yaml:"stabilizationWindowSeconds"`
	PodsPerPeriod              *int `yaml:"podsPerPeriod"`
	PercentPerPeriod           *int `yaml:"percentPerPeriod"`
	PeriodSeconds              *int `yaml:"periodSeconds"`
}

// check reports the keys missing from one direction's values.
func (b behaviorValues) check(name string, need func(bool, string)) {
	need(b.StabilizationWindowSeconds != nil, name+".stabilizationWindowSeconds")
	need(b.PeriodSeconds != nil, name+".periodSeconds")
	need(b.PodsPerPeriod != nil || b.PercentPerPeriod != nil, name+".podsPerPeriod or percentPerPeriod")
}

// behavior is the direction's Behavior; check found nothing missing.
func (b behaviorValues) behavior() Behavior {
	period := time.Duration(*b.PeriodSeconds) * time.Second
	var ps []Policy
	if b.PodsPerPeriod != nil {
		ps = append(ps, Policy{Type: Pods, Value: *b.PodsPerPeriod, Period: period})
	}
	if b.PercentPerPeriod != nil {
		ps = append(ps, Policy{Type: Percent, Value: *b.PercentPerPeriod, Period: period})
	}
	return Behavior{StabilizationWindow: time.Duration(*b.StabilizationWindowSeconds) * time.Second, Policies: ps}
}

// FromValues reads the rule from the processor.autoscaling block of the
// chart's values.yaml at path. Every key the rule needs must be there
// (podsPerPeriod and percentPerPeriod: at least one per direction), and
// autoscaling must be enabled.
func FromValues(path string) (Rule, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Rule{}, fmt.Errorf("read the chart's values: %w", err)
	}
	var v values
	if err := yaml.Unmarshal(data, &v); err != nil {
		return Rule{}, fmt.Errorf("read the chart's values %s: %w", path, err)
	}
	a := v.Processor.Autoscaling
	var missing []error
	need := func(ok bool, key string) {
		if !ok {
			missing = append(missing, fmt.Errorf("processor.autoscaling.%s is missing", key))
		}
	}
	need(a.Enabled != nil, "enabled")
	need(a.MinReplicas != nil, "minReplicas")
	need(a.MaxReplicas != nil, "maxReplicas")
	need(a.QueueDepthPerReplica != nil, "queueDepthPerReplica")
	need(a.ActivationQueueDepth != nil, "activationQueueDepth")
	need(a.PollingInterval != nil, "pollingInterval")
	need(a.CooldownPeriod != nil, "cooldownPeriod")
	a.ScaleUp.check("scaleUp", need)
	a.ScaleDown.check("scaleDown", need)
	if err := errors.Join(missing...); err != nil {
		return Rule{}, fmt.Errorf("read the chart's values %s: %w", path, err)
	}
	if !*a.Enabled {
		return Rule{}, fmt.Errorf("read the chart's values %s: processor.autoscaling.enabled is false", path)
	}
	sec := func(n int) time.Duration { return time.Duration(n) * time.Second }
	r := Rule{
		MinReplicas:          *a.MinReplicas,
		MaxReplicas:          *a.MaxReplicas,
		QueueDepthPerReplica: *a.QueueDepthPerReplica,
		ActivationQueueDepth: *a.ActivationQueueDepth,
		PollingInterval:      sec(*a.PollingInterval),
		CooldownPeriod:       sec(*a.CooldownPeriod),
		ScaleUp:              a.ScaleUp.behavior(),
		ScaleDown:            a.ScaleDown.behavior(),
		Tolerance:            DefaultTolerance,
		SyncPeriod:           DefaultSyncPeriod,
	}
	if err := r.Validate(); err != nil {
		return Rule{}, fmt.Errorf("read the chart's values %s: %w", path, err)
	}
	return r, nil
}

// Validate reports every problem of the rule that Kubernetes or KEDA would
// refuse, or that would make the simulation meaningless.
func (r Rule) Validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if r.MinReplicas < 0 {
		add("minReplicas must not be negative, got %d", r.MinReplicas)
	}
	if r.MaxReplicas < 1 || r.MaxReplicas < r.MinReplicas {
		add("maxReplicas must be at least 1 and at least minReplicas (%d), got %d", r.MinReplicas, r.MaxReplicas)
	}
	if !(r.QueueDepthPerReplica > 0) {
		add("queueDepthPerReplica must be above 0, got %v", r.QueueDepthPerReplica)
	}
	if r.ActivationQueueDepth < 0 {
		add("activationQueueDepth must not be negative, got %v", r.ActivationQueueDepth)
	}
	if r.PollingInterval <= 0 {
		add("pollingInterval must be positive, got %v", r.PollingInterval)
	}
	if r.CooldownPeriod < 0 {
		add("cooldownPeriod must not be negative, got %v", r.CooldownPeriod)
	}
	if !(r.Tolerance >= 0) {
		add("the tolerance must not be negative, got %v", r.Tolerance)
	}
	if r.SyncPeriod <= 0 {
		add("the sync period must be positive, got %v", r.SyncPeriod)
	}
	for _, d := range []struct {
		name string
		b    Behavior
	}{{"scaleUp", r.ScaleUp}, {"scaleDown", r.ScaleDown}} {
		name, b := d.name, d.b
		// The API server's limits (autoscaling/v2 validation): a window of
		// at most an hour, periods of at most 30 minutes, positive values.
		if b.StabilizationWindow < 0 || b.StabilizationWindow > time.Hour {
			add("%s.stabilizationWindowSeconds must be from 0 to 3600, got %v", name, b.StabilizationWindow.Seconds())
		}
		if len(b.Policies) == 0 {
			add("%s has no policy", name)
		}
		for _, p := range b.Policies {
			if p.Value <= 0 {
				add("%s: a %s policy's value must be above 0, got %d", name, p.Type, p.Value)
			}
			if p.Period <= 0 || p.Period > 30*time.Minute {
				add("%s.periodSeconds must be from 1 to 1800, got %v", name, p.Period.Seconds())
			}
		}
	}
	return errors.Join(errs...)
}
