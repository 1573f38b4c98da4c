// Package autoscale is the processors' scaling rule, computed: what
// Kubernetes' HPA controller and KEDA do with the Helm chart's ScaledObject
// (deploy/helm/codementor: a prometheus trigger on
// max(codementor_queue_depth{group="judge"}), metricType AverageValue) and
// its processor.autoscaling values.
//
// FromValues reads the rule from the chart's values.yaml. A Controller is
// the HPA's and KEDA's state, following the upstream source files named in
// its doc comment: the replica count an AverageValue target asks for
// (ceil(depth / queueDepthPerReplica), unless the usage ratio is within the
// 10% tolerance), the stabilization windows, the scale policies per
// period, minReplicas and maxReplicas, and KEDA's activation from and to
// zero replicas. Simulate feeds it a series of depths as they were
// (open loop); SimulateQueue plays a recorded burst closed loop, with a
// queue that the simulated replicas drain (see its doc comment for the
// model), and WritePlot draws that. TestRecordedBurst runs the burst that
// `codementor loadgen --record-queue` recorded in testdata through the
// chart's values and keeps docs/scaling-burst.svg (docs/AUTOSCALING.md)
// equal to what the rule makes of it.
//
// This is a model of the controllers, checked against hand-computed cases
// and a recorded series, not a test of a cluster.
package autoscale
