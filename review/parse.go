package review

import (
	"cmp"
	"regexp"
	"strings"

	codementor "github.com/codementor/codementor"
)

// Sections of a review.
const (
	secNone = iota
	secSummary
	secCorrectness
	secComplexity
	secStyle
	secNextSteps
)

// sectionNames maps a heading, lower-cased and without punctuation around
// it, to its section.
var sectionNames = map[string]int{
	"summary":                   secSummary,
	"overview":                  secSummary,
	"correctness":               secCorrectness,
	"complexity":                secComplexity,
	"complexity analysis":       secComplexity,
	"time and space complexity": secComplexity,
	"style":                     secStyle,
	"code style":                secStyle,
	"style and readability":     secStyle,
	"next steps":                secNextSteps,
	"next step":                 secNextSteps,
	"suggestions":               secNextSteps,
	"suggested next steps":      secNextSteps,
}

var (
	atxHeading  = regexp.MustCompile(`^ {0,3}(#{1,3})[ \t]+(.*?)[ \t#]*$`)
	boldHeading = regexp.MustCompile(`^[ \t]*(?:\*\*|__)([^*_]+?)(?:\*\*|__)[ \t]*:?[ \t]*(.*)$`)
	codeFence   = regexp.MustCompile("^ {0,3}(```+|~~~+)")
	listItem    = regexp.MustCompile(`^([ \t]*)(?:[-*+]|\d{1,9}[.)])[ \t]+(.*)$`)
	timeLine    = regexp.MustCompile(`(?i)^[\s>*_+-]*time(?:[ \t]+complexity)?[\s*_]*:[\s*_]*(.*)$`)
	spaceLine   = regexp.MustCompile(`(?i)^[\s>*_+-]*space(?:[ \t]+complexity)?[\s*_]*:[\s*_]*(.*)$`)
)

// Parse extracts the structure of a finished review's Markdown text: the
// sections under the headings the system prompt asks for, recognised in
// their usual variants (# to ### headings or a bold line, any case,
// "Next Steps" or "Suggestions", ...). Text without any recognised heading
// is all Summary. It never panics.
func Parse(text string) *codementor.ReviewParts {
	var bodies [secNextSteps + 1][]string // the lines of each section
	found := false
	cur := secNone
	fenced := "" // the fence of the code block the line is in, if any
	for _, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		if fenced != "" {
			if m := codeFence.FindStringSubmatch(line); m != nil && strings.HasPrefix(m[1], fenced) {
				fenced = ""
			}
			bodies[cur] = append(bodies[cur], line)
			continue
		}
		if m := codeFence.FindStringSubmatch(line); m != nil {
			fenced = m[1]
			bodies[cur] = append(bodies[cur], line)
			continue
		}
		if sec, rest, ok := heading(line); ok {
			found, cur = true, sec
			if rest != "" {
				bodies[cur] = append(bodies[cur], rest)
			}
			continue
		}
		bodies[cur] = append(bodies[cur], line)
	}

	p := &codementor.ReviewParts{}
	if !found {
		p.Summary = strings.TrimSpace(text)
		return p
	}
	section := func(s int) string { return strings.TrimSpace(strings.Join(bodies[s], "\n")) }
	p.Summary = section(secSummary)
	if p.Summary == "" {
		p.Summary = section(secNone) // what came before the first heading
	}
	p.Correctness = section(secCorrectness)
	p.Complexity = section(secComplexity)
	p.Style = section(secStyle)
	p.TimeComplexity, p.SpaceComplexity = complexities(bodies[secComplexity])
	if p.TimeComplexity == "" && p.SpaceComplexity == "" && p.Complexity == "" {
		// No complexity section: look for the lines anywhere.
		for s := range bodies {
			t, sp := complexities(bodies[s])
			p.TimeComplexity = cmp.Or(p.TimeComplexity, t)
			p.SpaceComplexity = cmp.Or(p.SpaceComplexity, sp)
		}
	}
	p.NextSteps = listItems(bodies[secNextSteps])
	return p
}

// heading reports whether line is a heading of a known section, and the
// text that follows it on the same line ("**Summary:** Looks good").
func heading(line string) (sec int, rest string, ok bool) {
	if m := atxHeading.FindStringSubmatch(line); m != nil {
		if s, ok := sectionName(m[2]); ok {
			return s, "", true
		}
		return 0, "", false
	}
	if m := boldHeading.FindStringSubmatch(line); m != nil {
		if s, ok := sectionName(m[1]); ok {
			return s, strings.TrimSpace(m[2]), true
		}
	}
	return 0, "", false
}

// sectionName recognises a heading's title: case-insensitive, without
// emphasis, numbering or a final colon.
func sectionName(title string) (int, bool) {
	t := strings.ToLower(strings.TrimSpace(title))
	t = strings.Trim(t, "*_:` \t")
	t = strings.TrimLeft(t, "0123456789.) \t")
	t = strings.TrimRight(t, ":. \t")
	t = strings.Join(strings.Fields(t), " ")
	s, ok := sectionNames[t]
	return s, ok
}

// complexities picks the "Time: O(...)" and "Space: O(...)" lines.
func complexities(lines []string) (tc, sc string) {
	for _, l := range lines {
		if m := timeLine.FindStringSubmatch(l); m != nil && tc == "" {
			tc = bigO(m[1])
		} else if m := spaceLine.FindStringSubmatch(l); m != nil && sc == "" {
			sc = bigO(m[1])
		}
	}
	return tc, sc
}

// bigO returns the O(...) expression in s, or s without emphasis if it has
// none.
func bigO(s string) string {
	for i := 0; i+1 < len(s); i++ {
		if s[i] != 'O' || s[i+1] != '(' || (i > 0 && isWordByte(s[i-1])) {
			continue
		}
		depth := 0
		for j := i + 1; j < len(s); j++ {
			switch s[j] {
			case '(':
				depth++
			case ')':
				depth--
				if depth == 0 {
					return s[i : j+1]
				}
			}
		}
		break // unbalanced: fall back to the whole text
	}
	return strings.TrimSpace(strings.Trim(strings.TrimSpace(s), "*_`"))
}

func isWordByte(b byte) bool {
	return b == '_' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
}

// listItems returns the list items of lines; a line that continues an
// item, or a nested item, is joined to it. A section with text but no
// list is one item.
func listItems(lines []string) []string {
	var items []string
	indent := -1
	cont := false // the previous line belongs to an item
	for _, l := range lines {
		if m := listItem.FindStringSubmatch(l); m != nil && (indent < 0 || len(m[1]) <= indent) {
			indent = len(m[1])
			items = append(items, strings.TrimSpace(m[2]))
			cont = true
			continue
		}
		t := strings.TrimSpace(l)
		if t == "" {
			cont = false
			continue
		}
		if len(items) > 0 && (cont || l != t) {
			if m := listItem.FindStringSubmatch(l); m != nil {
				t = strings.TrimSpace(m[2])
			}
			items[len(items)-1] = strings.TrimSpace(items[len(items)-1] + " " + t)
			cont = true
		}
	}
	if len(items) == 0 {
		if t := strings.TrimSpace(strings.Join(lines, "\n")); t != "" {
			items = []string{t}
		}
	}
	return items
}
