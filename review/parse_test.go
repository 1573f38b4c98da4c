package review

import (
	"reflect"
	"strings"
	"testing"

	codementor "github.com/codementor/codementor"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		name string
		text string
		want codementor.ReviewParts
	}{
		{
			name: "prompted format",
			text: goodReview,
			want: codementor.ReviewParts{
				Summary: "The program subtracts instead of adding.", Correctness: "It prints a-b.",
				Complexity: "Time: O(1)\nSpace: O(1)", TimeComplexity: "O(1)", SpaceComplexity: "O(1)",
				Style: "Fine.", NextSteps: []string{"Check the operator.", "Test with the sample."},
			},
		},
		{
			name: "no headings",
			text: "\n  Looks fine to me.\nNothing else.  \n",
			want: codementor.ReviewParts{Summary: "Looks fine to me.\nNothing else."},
		},
		{
			name: "empty",
			text: "",
			want: codementor.ReviewParts{},
		},
		{
			name: "bold headings, other case, numbered steps",
			text: "**Summary:**\nGood.\n\n**CORRECTNESS**\nRight.\n\n**Complexity analysis:**\n- **Time complexity:** O(n log n) for the sort\n- **Space complexity**: `O(n)`\n\n**Next Steps**\n1. Use a heap.\n2) Try larger inputs,\n   with timing.\n",
			want: codementor.ReviewParts{
				Summary: "Good.", Correctness: "Right.",
				Complexity:     "- **Time complexity:** O(n log n) for the sort\n- **Space complexity**: `O(n)`",
				TimeComplexity: "O(n log n)", SpaceComplexity: "O(n)",
				NextSteps: []string{"Use a heap.", "Try larger inputs, with timing."},
			},
		},
		{
			name: "h1 and h3, suggestions, inline bold",
			text: "Intro line.\n# Review\n### summary ###\nShort.\n## Complexity\n**Time:** O(n^2)\n**Space:** O(1)\n# Suggestions\n* one\n  * nested detail\n* two\n",
			want: codementor.ReviewParts{
				Summary: "Short.", Complexity: "**Time:** O(n^2)\n**Space:** O(1)", TimeComplexity: "O(n^2)", SpaceComplexity: "O(1)",
				NextSteps: []string{"one nested detail", "two"},
			},
		},
		{
			name: "summary on the bold line, preamble as summary fallback",
			text: "Overall this works.\n\n**Style:** Use clearer names.\n## Next steps\nRead about prefix sums.",
			want: codementor.ReviewParts{
				Summary: "Overall this works.", Style: "Use clearer names.", NextSteps: []string{"Read about prefix sums."},
			},
		},
		{
			name: "headings inside code blocks are code",
			text: "## Correctness\nTry:\n```python\n# Summary\nprint(1)\n```\n## Style\nOK",
			want: codementor.ReviewParts{Correctness: "Try:\n```python\n# Summary\nprint(1)\n```", Style: "OK"},
		},
		{
			name: "complexity lines outside a complexity section",
			text: "## Summary\nFine.\nTime: O(n)\nSpace: O(n)",
			want: codementor.ReviewParts{Summary: "Fine.\nTime: O(n)\nSpace: O(n)", TimeComplexity: "O(n)", SpaceComplexity: "O(n)"},
		},
		{
			name: "nested parentheses and no O",
			text: "## Complexity\nTime: O(n log(n)) overall\nSpace: constant",
			want: codementor.ReviewParts{Complexity: "Time: O(n log(n)) overall\nSpace: constant", TimeComplexity: "O(n log(n))", SpaceComplexity: "constant"},
		},
		{
			name: "CRLF",
			text: "## Summary\r\nWindows.\r\n## Next steps\r\n- a\r\n- b\r\n",
			want: codementor.ReviewParts{Summary: "Windows.", NextSteps: []string{"a", "b"}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Parse(tc.text)
			if !reflect.DeepEqual(*got, tc.want) {
				t.Errorf("Parse(%q)\n got %#v\nwant %#v", tc.text, *got, tc.want)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		goodReview, "", "#", "## ", "**", "****", "**Summary:**", "```", "~~~\n## Summary", "Time: O(", "Time: O(()",
		"## Next steps\n-", "## Next steps\n1.\n  \n 2) x", "## Complexity\n**Time:** O(n)\n", "\r\n\r\n", "\xff\xfe## Summary",
		strings.Repeat("(", 100), "- " + strings.Repeat("*", 50),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p := Parse(s)
		if p == nil {
			t.Fatal("nil parts")
		}
		if strings.TrimSpace(s) != "" && p.Summary == "" && p.Correctness == "" && p.Complexity == "" && p.Style == "" &&
			len(p.NextSteps) == 0 && p.TimeComplexity == "" && p.SpaceComplexity == "" {
			// Only headings and blank lines can leave everything empty.
			for _, l := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
				if _, _, ok := heading(l); !ok && strings.TrimSpace(l) != "" && !strings.HasPrefix(strings.TrimSpace(l), "#") {
					t.Fatalf("text %q lost entirely", s)
				}
			}
		}
	})
}
