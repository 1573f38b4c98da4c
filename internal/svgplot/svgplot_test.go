package svgplot

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"
)

func TestNiceScale(t *testing.T) {
	for _, tt := range []struct{ hi, step, top float64 }{
		{0, 1, 1}, {1, 0.2, 1}, {7, 2, 8}, {10, 2, 10}, {23, 5, 25}, {140, 50, 150}, {1234, 500, 1500}, {0.3, 0.1, 0.3},
	} {
		step, top := NiceScale(tt.hi)
		if diff(step, tt.step) || diff(top, tt.top) {
			t.Errorf("NiceScale(%v) = %v, %v; want %v, %v", tt.hi, step, top, tt.step, tt.top)
		}
	}
}

func diff(a, b float64) bool { return a-b > 1e-9 || b-a > 1e-9 }

func TestPlotIsWellFormed(t *testing.T) {
	y2 := NewAxis(12, "replicas")
	y2.ID, y2.Color = "replicas-ticks", "#2ca02c"
	p := New(NewAxis(100, "seconds"), NewAxis(180, "depth & co"), &y2, "a <title>", "a subtitle")
	p.Frame()
	p.Printf("<path d=%q/>\n", LinePath([]float64{0, 1, 2, 3}, []float64{0, 1, 2, 0}))
	p.Printf("<path d=%q/>\n", StepPath([]float64{0, 5}, []float64{1, 2}, 9))
	lg := p.Legend()
	lg.Item(Dot("#000000", 3), "a dot")
	lg.Item(Line("#000000", "4 3"), "a dashed line")
	lg.Item(nil, "a note")
	lg.End()
	var b bytes.Buffer
	if err := p.End(&b); err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal(b.Bytes(), new(struct{})); err != nil {
		t.Fatalf("not well-formed: %v\n%s", err, b.String())
	}
	for _, want := range []string{`d="M0.0 0.0L2.0 2.0L3.0 0.0"`, `d="M0.0 1.0H5.0 V2.0H9.0"`, "a &lt;title&gt;", "depth &amp; co", `id="replicas-ticks"`, `stroke-dasharray="4 3"`} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("the plot lacks %s", want)
		}
	}
}
