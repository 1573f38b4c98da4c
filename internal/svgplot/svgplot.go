// Package svgplot draws the project's plots as self-contained SVG files:
// a title and a subtitle, a plot area with a grid, a time axis, a value
// axis on the left and optionally a second one on the right, and a legend
// under the time axis. The caller draws its series in between, in pixel
// coordinates from the plot's X, Y and Y2. `codementor loadgen --svg` and
// the autoscaling plot (autoscale) use it; the output of a given plot is
// byte for byte the same from run to run, so that plots can be golden files.
package svgplot

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"strings"
)

// Geometry of every plot.
const (
	Width, Height = 960, 580
	Left, Right   = 84, 884 // the plot area's left and right edges
	Top, Bottom   = 64, 460 // its top and bottom edges

	colorGrid, colorAxis = "#e5e5e5", "#333333"
)

// Axis is one axis: ticks every Step from 0 to Max, and its label.
type Axis struct {
	Step, Max float64
	Label     string
	// ID and Color are the right axis's: the id of its ticks' group and
	// the color of its line, ticks and label (the left axis's are y-ticks
	// and the axis color).
	ID, Color string
}

// NewAxis is an axis from 0 to at least hi with nice ticks (NiceScale).
func NewAxis(hi float64, label string) Axis {
	step, top := NiceScale(hi)
	return Axis{Step: step, Max: top, Label: label}
}

// Plot is one plot being written.
type Plot struct {
	b     bytes.Buffer
	X, Y  Axis
	Y2    *Axis // the right axis, if any
	ended bool
}

// New starts a plot with its axes (y2 may be nil), title and subtitle (the
// title is the SVG's <title> too).
func New(x, y Axis, y2 *Axis, title, subtitle string) *Plot {
	p := &Plot{X: x, Y: y, Y2: y2}
	b := &p.b
	fmt.Fprintf(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
	fmt.Fprintf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"12\">\n", Width, Height, Width, Height)
	fmt.Fprintf(b, "<title>%s</title>\n", Esc(title))
	fmt.Fprintf(b, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", Width, Height)
	fmt.Fprintf(b, "<text x=\"%d\" y=\"24\" font-size=\"15\" font-weight=\"bold\">%s</text>\n", Left, Esc(title))
	fmt.Fprintf(b, "<text x=\"%d\" y=\"44\" fill=\"#555555\">%s</text>\n", Left, Esc(subtitle))
	return p
}

// XPos, YPos and Y2Pos map a value on an axis to its pixel coordinate.
func (p *Plot) XPos(v float64) float64 { return Left + v/p.X.Max*(Right-Left) }
func (p *Plot) YPos(v float64) float64 { return Bottom - v/p.Y.Max*(Bottom-Top) }
func (p *Plot) Y2Pos(v float64) float64 {
	return Bottom - v/p.Y2.Max*(Bottom-Top)
}

// Printf writes to the plot: the caller's series, between Frame and End.
func (p *Plot) Printf(format string, args ...any) { fmt.Fprintf(&p.b, format, args...) }

// WriteString writes s to the plot.
func (p *Plot) WriteString(s string) { p.b.WriteString(s) }

// Frame draws the grid, the axes, their ticks and their labels.
func (p *Plot) Frame() {
	b := &p.b
	b.WriteString("<g id=\"grid\" stroke=\"" + colorGrid + "\" stroke-width=\"1\">\n")
	for _, v := range Ticks(p.Y.Step, p.Y.Max)[1:] {
		fmt.Fprintf(b, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>\n", Left, p.YPos(v), Right, p.YPos(v))
	}
	for _, v := range Ticks(p.X.Step, p.X.Max)[1:] {
		fmt.Fprintf(b, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>\n", p.XPos(v), Top, p.XPos(v), Bottom)
	}
	b.WriteString("</g>\n")
	b.WriteString("<g id=\"axes\" stroke=\"" + colorAxis + "\" stroke-width=\"1\">\n")
	fmt.Fprintf(b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n", Left, Bottom, Right, Bottom)
	fmt.Fprintf(b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n", Left, Top, Left, Bottom)
	if p.Y2 != nil {
		fmt.Fprintf(b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\"/>\n", Right, Top, Right, Bottom, p.Y2.Color)
	}
	b.WriteString("</g>\n")
	b.WriteString("<g id=\"x-ticks\" text-anchor=\"middle\">\n")
	for _, v := range Ticks(p.X.Step, p.X.Max) {
		fmt.Fprintf(b, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\"/><text x=\"%.1f\" y=\"%d\">%s</text>\n",
			p.XPos(v), Bottom, p.XPos(v), Bottom+5, colorAxis, p.XPos(v), Bottom+19, TickLabel(v, p.X.Step))
	}
	b.WriteString("</g>\n")
	b.WriteString("<g id=\"y-ticks\" text-anchor=\"end\">\n")
	for _, v := range Ticks(p.Y.Step, p.Y.Max) {
		fmt.Fprintf(b, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\"/><text x=\"%d\" y=\"%.1f\">%s</text>\n",
			Left-5, p.YPos(v), Left, p.YPos(v), colorAxis, Left-8, p.YPos(v)+4, TickLabel(v, p.Y.Step))
	}
	b.WriteString("</g>\n")
	if a := p.Y2; a != nil {
		b.WriteString("<g id=\"" + a.ID + "\" text-anchor=\"start\" fill=\"" + a.Color + "\">\n")
		for _, v := range Ticks(a.Step, a.Max) {
			fmt.Fprintf(b, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\"/><text x=\"%d\" y=\"%.1f\">%s</text>\n",
				Right, p.Y2Pos(v), Right+5, p.Y2Pos(v), a.Color, Right+8, p.Y2Pos(v)+4, TickLabel(v, a.Step))
		}
		b.WriteString("</g>\n")
	}
	fmt.Fprintf(b, "<text id=\"x-label\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", (Left+Right)/2, Bottom+40, Esc(p.X.Label))
	fmt.Fprintf(b, "<text id=\"y-label\" x=\"0\" y=\"0\" text-anchor=\"middle\" transform=\"translate(%d %d) rotate(-90)\">%s</text>\n", Left-52, (Top+Bottom)/2, Esc(p.Y.Label))
	if a := p.Y2; a != nil {
		fmt.Fprintf(b, "<text id=\"y2-label\" x=\"0\" y=\"0\" text-anchor=\"middle\" fill=\"%s\" transform=\"translate(%d %d) rotate(90)\">%s</text>\n", a.Color, Right+48, (Top+Bottom)/2, Esc(a.Label))
	}
}

// StepPath is the d attribute of a step line through the points (pixel
// coordinates): level from each point to the next, then up or down, and
// level to endX after the last.
func StepPath(xs, ys []float64, endX float64) string {
	var path strings.Builder
	for i := range xs {
		if i == 0 {
			fmt.Fprintf(&path, "M%.1f %.1f", xs[i], ys[i])
			continue
		}
		fmt.Fprintf(&path, "H%.1f V%.1f", xs[i], ys[i])
	}
	fmt.Fprintf(&path, "H%.1f", endX)
	return path.String()
}

// LinePath is the d attribute of a line through the points (pixel
// coordinates), dropping points on the straight line between their
// neighbours.
func LinePath(xs, ys []float64) string {
	var path strings.Builder
	for i := range xs {
		if i > 0 && i < len(xs)-1 && collinear(xs[i-1], ys[i-1], xs[i], ys[i], xs[i+1], ys[i+1]) {
			continue
		}
		if i == 0 {
			fmt.Fprintf(&path, "M%.1f %.1f", xs[i], ys[i])
		} else {
			fmt.Fprintf(&path, "L%.1f %.1f", xs[i], ys[i])
		}
	}
	return path.String()
}

func collinear(x0, y0, x1, y1, x2, y2 float64) bool {
	return math.Abs((x1-x0)*(y2-y0)-(y1-y0)*(x2-x0)) < 1e-6
}

// Legend is the legend under the x axis: items left to right, wrapping.
type Legend struct {
	p    *Plot
	x, y float64
}

// Legend starts the legend.
func (p *Plot) Legend() *Legend {
	p.b.WriteString("<g id=\"legend\">\n")
	return &Legend{p: p, x: Left, y: Bottom + 66}
}

// Item adds an item: its symbol, drawn by symbol at the item's position
// (nil: none), and its label.
func (l *Legend) Item(symbol func(x, y float64) string, label string) {
	s := ""
	if symbol != nil {
		s = symbol(l.x, l.y)
	}
	fmt.Fprintf(&l.p.b, "%s<text x=\"%.1f\" y=\"%.1f\">%s</text>\n", s, l.x+16, l.y+4, Esc(label))
	l.x += 16 + 7*float64(len([]rune(label))) + 24
	if l.x > Right-120 {
		l.x, l.y = Left, l.y+20
	}
}

// End ends the legend.
func (l *Legend) End() { l.p.b.WriteString("</g>\n") }

// Dot is a legend symbol: a filled circle.
func Dot(color string, r float64) func(x, y float64) string {
	return func(x, y float64) string {
		return fmt.Sprintf("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\"/>", x+6, y, r, color)
	}
}

// Line is a legend symbol: a short line, dashed if dash is not empty (a
// stroke-dasharray).
func Line(color, dash string) func(x, y float64) string {
	return func(x, y float64) string {
		d := ""
		if dash != "" {
			d = fmt.Sprintf(" stroke-dasharray=\"%s\"", dash)
		}
		return fmt.Sprintf("<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\"%s/>", x, y, x+12, y, color, d)
	}
}

// End closes the plot and writes it to w.
func (p *Plot) End(w io.Writer) error {
	if !p.ended {
		p.b.WriteString("</svg>\n")
		p.ended = true
	}
	_, err := w.Write(p.b.Bytes())
	return err
}

// NiceScale returns a tick step of 1, 2 or 5 × 10^k giving about five
// ticks up to at least hi, and the axis maximum, a multiple of the step.
func NiceScale(hi float64) (step, top float64) {
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

// Ticks returns 0, step, 2·step, ... up to top.
func Ticks(step, top float64) []float64 {
	var out []float64
	for i := 0; float64(i)*step <= top*(1+1e-9); i++ {
		out = append(out, float64(i)*step)
	}
	return out
}

// TickLabel formats v with as many decimals as the step needs.
func TickLabel(v, step float64) string {
	decimals := 0
	if step < 1 {
		decimals = int(math.Ceil(-math.Log10(step) - 1e-9))
	}
	return fmt.Sprintf("%.*f", decimals, v)
}

// Esc escapes s for XML text and attributes.
func Esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
