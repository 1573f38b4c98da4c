package loadgen

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"strings"
	"time"
)

// Geometry of the plot.
const (
	svgW, svgH           = 960, 580
	plotL, plotR         = 84, 884 // the plot area's left and right edges
	plotT, plotB         = 64, 460 // its top and bottom edges
	colorCorrect         = "#1f77b4"
	colorWrongProgram    = "#ff7f0e"
	colorUnexpected      = "#d62728"
	colorInFlight        = "#2ca02c"
	colorGrid, colorAxis = "#e5e5e5", "#333333"
)

// WriteSVG writes a self-contained SVG plot of the run: the completion
// latency (submit → final) of each finished submission against the time it
// was sent, as points (correct programs, wrong programs, and unexpected
// results apart), and the submissions in flight over time as a line on a
// second axis, with the end of submitting marked.
func (r *Report) WriteSVG(w io.Writer) error {
	var b bytes.Buffer
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
	xStep, xMax := niceScale(xMaxS)
	yStep, yMax := niceScale(maxFinal / div)
	fStep, fMax := niceScale(float64(peak))
	fStep = max(fStep, 1)
	fMax = max(fMax, fStep)
	x := func(s float64) float64 { return plotL + s/xMax*(plotR-plotL) }
	y := func(v float64) float64 { return plotB - v/yMax*(plotB-plotT) }
	yf := func(n float64) float64 { return plotB - n/fMax*(plotB-plotT) }

	fmt.Fprintf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
	fmt.Fprintf(&b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"12\">\n", svgW, svgH, svgW, svgH)
	title := fmt.Sprintf("codementor loadgen run %s: %s/s for %s, %d learners (%s)", r.RunID, fmtFloat(r.Config.Rate),
		time.Duration(r.Config.DurationMS*float64(time.Millisecond)), r.Config.Learners, strings.Join(r.Config.Languages, ", "))
	fmt.Fprintf(&b, "<title>%s</title>\n", esc(title))
	fmt.Fprintf(&b, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", svgW, svgH)
	fmt.Fprintf(&b, "<text x=\"%d\" y=\"24\" font-size=\"15\" font-weight=\"bold\">%s</text>\n", plotL, esc(title))
	l := r.Latency.Final
	sub := fmt.Sprintf("%d submitted, %d finished, %d wrong results, %d unfinished; submit → final p50 %.0f ms, p99 %.0f ms; %.1f finished/s",
		r.Counts.Submitted, r.Counts.Finished, r.Counts.WrongResults, r.Counts.Unfinished, l.P50MS, l.P99MS, r.Throughput.FinishedPerS)
	fmt.Fprintf(&b, "<text x=\"%d\" y=\"44\" fill=\"#555555\">%s</text>\n", plotL, esc(sub))

	// Grid, ticks and their labels.
	b.WriteString("<g id=\"grid\" stroke=\"" + colorGrid + "\" stroke-width=\"1\">\n")
	for _, v := range ticks(yStep, yMax)[1:] {
		fmt.Fprintf(&b, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>\n", plotL, y(v), plotR, y(v))
	}
	for _, v := range ticks(xStep, xMax)[1:] {
		fmt.Fprintf(&b, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>\n", x(v), plotT, x(v), plotB)
	}
	b.WriteString("</g>\n")
	b.WriteString("<g id=\"axes\" stroke=\"" + colorAxis + "\" stroke-width=\"1\">\n")
	fmt.Fprintf(&b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n", plotL, plotB, plotR, plotB)
	fmt.Fprintf(&b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n", plotL, plotT, plotL, plotB)
	fmt.Fprintf(&b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\"/>\n", plotR, plotT, plotR, plotB, colorInFlight)
	b.WriteString("</g>\n")
	b.WriteString("<g id=\"x-ticks\" text-anchor=\"middle\">\n")
	for _, v := range ticks(xStep, xMax) {
		fmt.Fprintf(&b, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\"/><text x=\"%.1f\" y=\"%d\">%s</text>\n",
			x(v), plotB, x(v), plotB+5, colorAxis, x(v), plotB+19, tickLabel(v, xStep))
	}
	b.WriteString("</g>\n")
	b.WriteString("<g id=\"y-ticks\" text-anchor=\"end\">\n")
	for _, v := range ticks(yStep, yMax) {
		fmt.Fprintf(&b, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\"/><text x=\"%d\" y=\"%.1f\">%s</text>\n",
			plotL-5, y(v), plotL, y(v), colorAxis, plotL-8, y(v)+4, tickLabel(v, yStep))
	}
	b.WriteString("</g>\n")
	b.WriteString("<g id=\"in-flight-ticks\" text-anchor=\"start\" fill=\"" + colorInFlight + "\">\n")
	for _, v := range ticks(fStep, fMax) {
		fmt.Fprintf(&b, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\"/><text x=\"%d\" y=\"%.1f\">%s</text>\n",
			plotR, yf(v), plotR+5, yf(v), colorInFlight, plotR+8, yf(v)+4, tickLabel(v, fStep))
	}
	b.WriteString("</g>\n")

	// Axis labels.
	fmt.Fprintf(&b, "<text id=\"x-label\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">time since the start of the run, when each submission was sent (s)</text>\n", (plotL+plotR)/2, plotB+40)
	fmt.Fprintf(&b, "<text id=\"y-label\" x=\"0\" y=\"0\" text-anchor=\"middle\" transform=\"translate(%d %d) rotate(-90)\">completion latency, submit → final (%s)</text>\n", plotL-52, (plotT+plotB)/2, unit)
	fmt.Fprintf(&b, "<text id=\"y2-label\" x=\"0\" y=\"0\" text-anchor=\"middle\" fill=\"%s\" transform=\"translate(%d %d) rotate(90)\">submissions in flight</text>\n", colorInFlight, plotR+48, (plotT+plotB)/2)

	// The end of submitting.
	if end := r.Throughput.AcceptedWindowMS / 1000; end > 0 && end <= xMax {
		fmt.Fprintf(&b, "<g id=\"end-of-submitting\" stroke=\"#888888\"><line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke-dasharray=\"5 4\"/></g>\n", x(end), plotT, x(end), plotB)
		fmt.Fprintf(&b, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#888888\" font-size=\"10\">last submission due</text>\n", x(end), plotT-5)
	}

	// In flight, as a step line.
	var path strings.Builder
	for i, p := range inflight {
		if i == 0 {
			fmt.Fprintf(&path, "M%.1f %.1f", x(p.TMS/1000), yf(float64(p.N)))
			continue
		}
		fmt.Fprintf(&path, "H%.1f V%.1f", x(p.TMS/1000), yf(float64(p.N)))
	}
	fmt.Fprintf(&path, "H%.1f", x(r.ElapsedMS/1000))
	fmt.Fprintf(&b, "<path id=\"in-flight\" d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" stroke-linejoin=\"round\"/>\n", path.String(), colorInFlight)

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
		fmt.Fprintf(&b, "<g id=\"%s\" fill=\"%s\" fill-opacity=\"0.6\">\n", g.id, g.color)
		for _, s := range r.Submissions {
			if s.FinalMS == nil || !g.keep(s) {
				continue
			}
			counts[gi]++
			fmt.Fprintf(&b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\"/>\n", x(s.SubmitMS/1000), y(*s.FinalMS/div), g.radius)
		}
		b.WriteString("</g>\n")
	}

	// The legend, under the x axis.
	b.WriteString("<g id=\"legend\">\n")
	lx, ly := float64(plotL), float64(plotB+66)
	item := func(symbol, label string) {
		fmt.Fprintf(&b, "%s<text x=\"%.1f\" y=\"%.1f\">%s</text>\n", symbol, lx+16, ly+4, esc(label))
		lx += 16 + 7*float64(len([]rune(label))) + 24
		if lx > plotR-120 {
			lx, ly = plotL, ly+20
		}
	}
	dot := func(color string, r float64) string {
		return fmt.Sprintf("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\"/>", lx+6, ly, r, color)
	}
	item(dot(colorCorrect, 4), fmt.Sprintf("correct program, accepted (%d)", counts[0]))
	item(dot(colorWrongProgram, 4), fmt.Sprintf("wrong program, wrong_answer (%d)", counts[1]))
	item(dot(colorUnexpected, 4), fmt.Sprintf("unexpected result (%d)", counts[2]))
	item(fmt.Sprintf("<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\"/>", lx, ly, lx+12, ly, colorInFlight),
		fmt.Sprintf("submissions in flight (peak %d)", peak))
	if n := r.Counts.Unfinished + r.Counts.Rejected; n > 0 {
		item("", fmt.Sprintf("not plotted: %d unfinished, %d rejected", r.Counts.Unfinished, r.Counts.Rejected))
	}
	b.WriteString("</g>\n</svg>\n")
	_, err := w.Write(b.Bytes())
	return err
}

// niceScale returns a tick step of 1, 2 or 5 × 10^k giving about five
// ticks up to at least hi, and the axis maximum, a multiple of the step.
func niceScale(hi float64) (step, top float64) {
	if !(hi > 0) || math.IsInf(hi, 0) {
		return 1, 1
	}
	raw := hi / 5
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	switch n := raw / mag; {
	case n <= 1:
		step = mag
	case n <= 2:
		step = 2 * mag
	case n <= 5:
		step = 5 * mag
	default:
		step = 10 * mag
	}
	top = math.Ceil(hi/step-1e-9) * step
	return step, top
}

// ticks returns 0, step, 2·step, ... up to top.
func ticks(step, top float64) []float64 {
	var out []float64
	for i := 0; float64(i)*step <= top*(1+1e-9); i++ {
		out = append(out, float64(i)*step)
	}
	return out
}

// tickLabel formats v with as many decimals as the step needs.
func tickLabel(v, step float64) string {
	decimals := 0
	if step < 1 {
		decimals = int(math.Ceil(-math.Log10(step) - 1e-9))
	}
	return fmt.Sprintf("%.*f", decimals, v)
}

func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
