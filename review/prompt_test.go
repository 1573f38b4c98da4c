package review

import (
	"fmt"
	"strings"
	"testing"

	codementor "github.com/codementor/codementor"
)

func TestPromptContents(t *testing.T) {
	in := testInput()
	// Hidden test data that should never have been there.
	in.Tests[1].Input, in.Tests[1].Expected = "SECRET-HIDDEN-INPUT", "SECRET-HIDDEN-EXPECTED"
	in.Tests[1].Output, in.Tests[1].Stderr = "SECRET-HIDDEN-OUTPUT", "SECRET-HIDDEN-STDERR"
	in.Tests[1].ExitCode, in.Tests[1].Signal = 173, "SECRET-HIDDEN-SIGNAL"
	in.Tests[0].Stderr = "Traceback: sample stderr"
	system, user, err := Prompt(in, "Deutsch")
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"Sum of two numbers", "Read two integers a and b", "print(a - b)", "wrong answer", "0 of 2",
		"Python 3", "1 2", "-1", "Traceback: sample stderr", "line 1 differs", "Test 1 (sample)", "Test 2 (hidden)", "12 ms",
		"the output differs from the expected output of this hidden test"} {
		if !strings.Contains(user, w) {
			t.Errorf("user message lacks %q:\n%s", w, user)
		}
	}
	if strings.Contains(user+system, "SECRET-HIDDEN") || strings.Contains(user, "173") {
		t.Errorf("a hidden test's data is in the prompt:\n%s", user)
	}
	for _, w := range []string{"Deutsch", "## Summary", "## Correctness", "## Complexity", "Time: O(", "Space: O(", "## Style",
		"## Next steps", "data", "never instructions", "hints", "Never write a full corrected solution", "350 words"} {
		if !strings.Contains(system, w) {
			t.Errorf("system message lacks %q:\n%s", w, system)
		}
	}
	order := []string{"## Summary", "## Correctness", "## Complexity", "## Style", "## Next steps"}
	for i := 1; i < len(order); i++ {
		if strings.Index(system, order[i-1]) > strings.Index(system, order[i]) {
			t.Errorf("%s comes after %s", order[i-1], order[i])
		}
	}
	if strings.Contains(system, "simpler, faster or cleaner") {
		t.Error("a failing submission's prompt asks for improvements of an accepted one")
	}
}

func TestPromptAccepted(t *testing.T) {
	in := testInput()
	in.Verdict = codementor.VerdictAccepted
	for i := range in.Tests {
		in.Tests[i].Verdict = codementor.VerdictAccepted
	}
	system, user, err := Prompt(in, "English")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(system, "simpler, faster or cleaner") || strings.Contains(system, "full corrected solution") {
		t.Errorf("system message:\n%s", system)
	}
	if !strings.Contains(user, "2 of 2") || !strings.Contains(user, "accepted") {
		t.Errorf("user message:\n%s", user)
	}
}

func TestPromptFence(t *testing.T) {
	in := testInput()
	in.Code = "s = \"\"\"\n```\n````\n\"\"\"\nprint(s)"
	_, user, err := Prompt(in, "English")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(user, "`````python\n"+in.Code+"\n`````") {
		t.Errorf("the code is not in a longer fence:\n%s", user)
	}
	if got := fence("no backticks"); got != "```" {
		t.Errorf("fence = %q", got)
	}
}

func TestPromptCompileOutput(t *testing.T) {
	in := testInput()
	in.Verdict, in.Tests = codementor.VerdictCompilationError, nil
	in.CompileOutput = "main.c:1: error: expected ';'\n" + strings.Repeat("x", 5000)
	system, user, err := Prompt(in, "English")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(user, "expected ';'") || strings.Contains(user, strings.Repeat("x", 2100)) || !strings.Contains(user, "more bytes not shown") {
		t.Errorf("compile output not shown or not truncated:\n%s", user)
	}
	if !strings.Contains(system, "compiler output") {
		t.Errorf("system message does not mention the compiler:\n%s", system)
	}
	// Compile output of another verdict (warnings) is left out.
	in.Verdict = codementor.VerdictAccepted
	if _, user, _ := Prompt(in, "English"); strings.Contains(user, "expected ';'") {
		t.Error("compile output shown for an accepted submission")
	}
}

func TestPromptTestList(t *testing.T) {
	in := testInput()
	in.Tests = nil
	for i := range 40 {
		v := codementor.VerdictAccepted
		if i%10 == 9 {
			v = codementor.VerdictTimeLimitExceeded
		}
		in.Tests = append(in.Tests, codementor.TestResult{Index: i, Verdict: v, Input: fmt.Sprintf("input-%d-", i) + strings.Repeat("y", 1000)})
	}
	in.TestCount = 40
	_, user, err := Prompt(in, "English")
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(user, "\n## Test "); n != 30 {
		t.Errorf("%d tests listed, want 30", n)
	}
	if !strings.Contains(user, "and 10 more tests") {
		t.Errorf("no note of the tests left out:\n%s", user)
	}
	// The failing tests (10, 20, 30, 40) come first.
	first := strings.Index(user, "## Test ")
	if !strings.HasPrefix(user[first:], "## Test 10 (sample): time_limit_exceeded") ||
		strings.Index(user, "## Test 40 ") > strings.Index(user, "## Test 1 ") {
		t.Errorf("failing tests are not first:\n%s", user[:min(len(user), 2000)])
	}
	if !strings.Contains(user, "36 of 40") {
		t.Error("wrong passed count")
	}
	if strings.Contains(user, strings.Repeat("y", 601)) {
		t.Error("sample input not truncated to 600 bytes")
	}
}
