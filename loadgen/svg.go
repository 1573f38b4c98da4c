package loadgen

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/codementor/codementor/internal/svgplot"
)

// Colors of the plot.
const (
	colorCorrect      = "#1f77b4"
	colorWrongProgram = "#ff7f0e"
	colorUnexpected   = "#d62728"
	colorInFlight     = "#2ca02c"
)

// WriteSVG writes a self-contained SVG plot of the run: the completion
// latency (submit → final) of each finished submission against the time it
// was sent, as points (correct programs, wrong programs, and unexpected
// results apart), and the submissions in flight over time as a line on a
// second axis, with the end of submitting marked.
func (r *Report) WriteSVG(w io.Writer) error {
	inflight := r.InFlight()

	// Domains.
	xMaxS := max(r.ElapsedMS, r.Config.DurationMS) / 1000
	maxFinal, peak := 0.0, 0
	for _, s := range r.Submissions {
		if s.FinalMS != nil {
			maxFinal = max(maxFinal, *s.FinalMS)
		}
	}
	for _, p := range inflight {
		peak = max(peak, p.N)
	}
	unit, div := "ms", 1.0
	if maxFinal >= 5000 {
		unit, div = "s", 1000
	}
	xAxis := svgplot.NewAxis(xMaxS, "time since the start of the run, when each submission was sent (s)")
	yAxis := svgplot.NewAxis(maxFinal/div, fmt.Sprintf("completion latency, submit → final (%s)", unit))
	fAxis := svgplot.NewAxis(float64(peak), "submissions in flight")
	fAxis.Step = max(fAxis.Step, 1)
	fAxis.Max = max(fAxis.Max, fAxis.Step)
	fAxis.ID, fAxis.Color = "in-flight-ticks", colorInFlight

	title := fmt.Sprintf("codementor loadgen run %s: %s/s for %s, %d learners (%s)", r.RunID, fmtFloat(r.Config.Rate),
		time.Duration(r.Config.DurationMS*float64(time.Millisecond)), r.Config.Learners, strings.Join(r.Config.Languages, ", "))
	l := r.Latency.Final
	sub := fmt.Sprintf("%d submitted, %d finished, %d wrong results, %d unfinished; submit → final p50 %.0f ms, p99 %.0f ms; %.1f finished/s",
		r.Counts.Submitted, r.Counts.Finished, r.Counts.WrongResults, r.Counts.Unfinished, l.P50MS, l.P99MS, r.Throughput.FinishedPerS)
	p := svgplot.New(xAxis, yAxis, &fAxis, title, sub)
	p.Frame()
	x, y, yf := p.XPos, p.YPos, p.Y2Pos

	// The end of submitting.
	if end := r.Throughput.AcceptedWindowMS / 1000; end > 0 && end <= xAxis.Max {
		p.Printf("<g id=\"end-of-submitting\" stroke=\"#888888\"><line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke-dasharray=\"5 4\"/></g>\n", x(end), svgplot.Top, x(end), svgplot.Bottom)
		p.Printf("<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#888888\" font-size=\"10\">last submission due</text>\n", x(end), svgplot.Top-5)
	}

	// In flight, as a step line.
	var xs, ys []float64
	for _, f := range inflight {
		xs, ys = append(xs, x(f.TMS/1000)), append(ys, yf(float64(f.N)))
	}
	p.Printf("<path id=\"in-flight\" d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" stroke-linejoin=\"round\"/>\n", svgplot.StepPath(xs, ys, x(r.ElapsedMS/1000)), colorInFlight)

	// The submissions, as points.
	groups := []struct {
		id, color string
		radius    float64
		keep      func(SubmissionResult) bool
	}{
		{"points-correct", colorCorrect, 2.2, func(s SubmissionResult) bool { return s.Outcome == OutcomeOK && !s.WrongProgram }},
		{"points-wrong-program", colorWrongProgram, 2.2, func(s SubmissionResult) bool { return s.Outcome == OutcomeOK && s.WrongProgram }},
		{"points-unexpected", colorUnexpected, 3.5, func(s SubmissionResult) bool { return s.Outcome == OutcomeWrongResult }},
	}
	counts := make([]int, len(groups))
	for gi, g := range groups {
		p.Printf("<g id=\"%s\" fill=\"%s\" fill-opacity=\"0.6\">\n", g.id, g.color)
		for _, s := range r.Submissions {
			if s.FinalMS == nil || !g.keep(s) {
				continue
			}
			counts[gi]++
			p.Printf("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\"/>\n", x(s.SubmitMS/1000), y(*s.FinalMS/div), g.radius)
		}
		p.WriteString("</g>\n")
	}

	// The legend, under the x axis.
	lg := p.Legend()
	lg.Item(svgplot.Dot(colorCorrect, 4), fmt.Sprintf("correct program, accepted (%d)", counts[0]))
	lg.Item(svgplot.Dot(colorWrongProgram, 4), fmt.Sprintf("wrong program, wrong_answer (%d)", counts[1]))
	lg.Item(svgplot.Dot(colorUnexpected, 4), fmt.Sprintf("unexpected result (%d)", counts[2]))
	lg.Item(svgplot.Line(colorInFlight, ""), fmt.Sprintf("submissions in flight (peak %d)", peak))
	if n := r.Counts.Unfinished + r.Counts.Rejected; n > 0 {
		lg.Item(nil, fmt.Sprintf("not plotted: %d unfinished, %d rejected", r.Counts.Unfinished, r.Counts.Rejected))
	}
	lg.End()
	return p.End(w)
}
