package autoscale

import (
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/codementor/codementor/internal/svgplot"
)

// Colors of the plot.
const (
	colorRecorded  = "#7f7f7f"
	colorSimulated = "#ff7f0e"
	colorReplicas  = "#2ca02c"
	colorTarget    = "#1f77b4"
	colorOpenLoop  = "#9467bd"
)

// PlotInfo is what the plot says about where its series come from.
type PlotInfo struct {
	// Recording names the recorded burst, e.g. its file.
	Recording string
	// RecordedReplicas is the instances that served the recording.
	RecordedReplicas int
}

// WritePlot writes a self-contained SVG plot of a SimulateQueue run: the
// recorded depth (on the recording's fixed capacity) and the simulated
// depth with autoscaling on the left axis, with the depth the HPA aims at
// (the target times the replicas); the replicas and the ready replicas on
// the right axis, and, if open is not empty, the replicas Simulate gave
// for the recorded depth itself (open loop).
func WritePlot(w io.Writer, rule Rule, m Model, steps []QueueStep, open []Step, info PlotInfo) error {
	peakRec, peakSim, peakReplicas, peakOpen, recEnd := 0.0, 0.0, 0, 0, 0.0
	for _, s := range open {
		peakOpen = max(peakOpen, s.Replicas)
	}
	for _, s := range steps {
		peakRec, peakSim = max(peakRec, s.Recorded), max(peakSim, s.Depth)
		peakReplicas = max(peakReplicas, s.Replicas)
		if s.Recorded > 0 || s.Arrivals > 0 {
			recEnd = s.At
		}
	}
	end := 0.0
	if len(steps) > 0 {
		end = steps[len(steps)-1].At
	}
	xAxis := svgplot.NewAxis(end, fmt.Sprintf("seconds since the start of the burst (simulated: %.2f jobs/s a replica, start-up %s, Prometheus scrape every %s)",
		m.JobsPerReplicaSecond, fmtDur(m.StartupDelay.Seconds()), fmtDur(m.ScrapeInterval.Seconds())))
	yAxis := svgplot.NewAxis(max(peakRec, peakSim, rule.QueueDepthPerReplica*float64(rule.MinReplicas)), "jobs in the judging queue (waiting or held)")
	rAxis := svgplot.NewAxis(float64(rule.MaxReplicas), "processor replicas")
	rAxis.Step = max(rAxis.Step, 1)
	rAxis.ID, rAxis.Color = "replicas-ticks", colorReplicas

	title := fmt.Sprintf("Judges scale on the queue: %s through the chart's rule", info.Recording)
	sub := fmt.Sprintf("rule: depth / %s replicas, %d to %d; up ≤ %s; down ≤ %s after %s; HPA sync every %s",
		fmtNum(rule.QueueDepthPerReplica), rule.MinReplicas, rule.MaxReplicas, policiesText(rule.ScaleUp), policiesText(rule.ScaleDown),
		fmtDur(rule.ScaleDown.StabilizationWindow.Seconds()), fmtDur(rule.SyncPeriod.Seconds()))
	p := svgplot.New(xAxis, yAxis, &rAxis, title, sub)
	p.Frame()
	x, y, yr := p.XPos, p.YPos, p.Y2Pos

	// The end of the recording.
	if recEnd > 0 && recEnd < end {
		p.Printf("<g id=\"end-of-recording\" stroke=\"#888888\"><line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke-dasharray=\"5 4\"/></g>\n", x(recEnd), svgplot.Top, x(recEnd), svgplot.Bottom)
		p.Printf("<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#888888\" font-size=\"10\">end of the recording</text>\n", x(recEnd), svgplot.Top-5)
	}

	var xs, target, rec, sim, reps, ready []float64
	for _, s := range steps {
		xs = append(xs, x(s.At))
		target = append(target, y(rule.QueueDepthPerReplica*float64(s.Replicas)))
		rec = append(rec, y(s.Recorded))
		sim = append(sim, y(s.Depth))
		reps = append(reps, yr(float64(s.Replicas)))
		ready = append(ready, yr(float64(s.Ready)))
	}
	stepLine := func(xs, ys []float64) ([]float64, []float64) {
		// Only the changes: a step line needs no more.
		var cx, cy []float64
		for i := range xs {
			if i == 0 || ys[i] != ys[i-1] {
				cx, cy = append(cx, xs[i]), append(cy, ys[i])
			}
		}
		return cx, cy
	}
	recX, recY := xs, rec
	if recEnd < end {
		n := int(recEnd) + 1
		recX, recY = xs[:n], rec[:n]
	}
	tx, ty := stepLine(xs, target)
	p.Printf("<path id=\"target\" d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"1\" stroke-dasharray=\"2 3\"/>\n", svgplot.StepPath(tx, ty, x(end)), colorTarget)
	p.Printf("<path id=\"recorded\" d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" stroke-linejoin=\"round\"/>\n", svgplot.LinePath(recX, recY), colorRecorded)
	p.Printf("<path id=\"simulated\" d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" stroke-linejoin=\"round\"/>\n", svgplot.LinePath(xs, sim), colorSimulated)
	if len(open) > 0 {
		var ox, oy []float64
		for _, s := range open {
			ox, oy = append(ox, x(s.At)), append(oy, yr(float64(s.Replicas)))
		}
		ox, oy = stepLine(ox, oy)
		p.Printf("<path id=\"replicas-open-loop\" d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" stroke-dasharray=\"1 2\"/>\n", svgplot.StepPath(ox, oy, x(open[len(open)-1].At)), colorOpenLoop)
	}
	rx, ry := stepLine(xs, ready)
	p.Printf("<path id=\"ready\" d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" stroke-dasharray=\"5 3\"/>\n", svgplot.StepPath(rx, ry, x(end)), colorReplicas)
	rx, ry = stepLine(xs, reps)
	p.Printf("<path id=\"replicas\" d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2.5\"/>\n", svgplot.StepPath(rx, ry, x(end)), colorReplicas)

	lg := p.Legend()
	lg.Item(svgplot.Line(colorRecorded, ""), fmt.Sprintf("recorded depth, %d %s (peak %.0f)", info.RecordedReplicas, plural(info.RecordedReplicas, "instance", "instances"), peakRec))
	lg.Item(svgplot.Line(colorSimulated, ""), fmt.Sprintf("simulated depth with autoscaling (peak %.0f)", math.Ceil(peakSim)))
	lg.Item(svgplot.Line(colorTarget, "2 3"), "target × replicas")
	lg.Item(svgplot.Line(colorReplicas, ""), fmt.Sprintf("replicas (peak %d)", peakReplicas))
	lg.Item(svgplot.Line(colorReplicas, "5 3"), "replicas judging (after start-up)")
	if len(open) > 0 {
		lg.Item(svgplot.Line(colorOpenLoop, "1 2"), fmt.Sprintf("replicas for the recorded depth as it was (open loop, peak %d)", peakOpen))
	}
	lg.End()
	return p.End(w)
}

// policiesText describes a direction's policies: "max(4 pods, 100%)/15 s".
func policiesText(b Behavior) string {
	var parts []string
	period := 0.0
	for _, p := range b.Policies {
		period = p.Period.Seconds()
		switch p.Type {
		case Pods:
			parts = append(parts, fmt.Sprintf("%d pods", p.Value))
		case Percent:
			parts = append(parts, fmt.Sprintf("%d%%", p.Value))
		}
	}
	s := strings.Join(parts, ", ")
	if len(parts) > 1 {
		s = "max(" + s + ")"
	}
	return s + "/" + fmtDur(period)
}

func fmtDur(seconds float64) string { return fmtNum(seconds) + " s" }

func fmtNum(v float64) string { return fmt.Sprintf("%g", v) }

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
