package systemtest

import (
	"testing"

	codementor "github.com/codementor/codementor"
)

// programs per language for a-plus-b: correct, wrong, failing at run time,
// and (where there is a compiler) not compiling.
var programs = map[string]struct{ correct, wrong, failing, broken string }{
	"python": {
		correct: aPlusB,
		wrong:   aPlusBWrong,
		failing: "import sys\nraise ValueError(sys.stdin.read())\n",
		broken:  "def f(:\n",
	},
	"c": {
		correct: "#include <stdio.h>\nint main(void){long long a,b;scanf(\"%lld %lld\",&a,&b);printf(\"%lld\\n\",a+b);return 0;}\n",
		wrong:   "#include <stdio.h>\nint main(void){int a,b;scanf(\"%d %d\",&a,&b);printf(\"%d\\n\",a+b);return 0;}\n",
		failing: "#include <stdio.h>\nint main(void){int *p=0;printf(\"%d\\n\",*p);return 0;}\n",
		broken:  "int main(void){return 0}\n",
	},
	"cpp": {
		correct: aPlusBCpp,
		wrong:   "#include <iostream>\nint main(){int a,b;std::cin>>a>>b;std::cout<<a+b<<'\\n';}\n",
		failing: "#include <stdexcept>\nint main(){throw std::runtime_error(\"boom\");}\n",
		broken:  "#include <iostream>\nint main(){std::cout << undefined_name;}\n",
	},
	"java": {
		correct: "import java.util.*;\npublic class Main { public static void main(String[] a) { Scanner s = new Scanner(System.in); long x = s.nextLong(), y = s.nextLong(); System.out.println(x + y); } }\n",
		wrong:   "import java.util.*;\npublic class Main { public static void main(String[] a) { Scanner s = new Scanner(System.in); long x = s.nextLong(), y = s.nextLong(); System.out.println(x * y); } }\n",
		failing: "public class Main { public static void main(String[] a) { throw new IllegalStateException(\"boom\"); } }\n",
		broken:  "public class Main { public static void main(String[] a) { int x = \"s\"; } }\n",
	},
	"go": {
		correct: "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tvar a, b int64\n\tfmt.Scan(&a, &b)\n\tfmt.Println(a + b)\n}\n",
		wrong:   "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tvar a, b int32\n\tfmt.Scan(&a, &b)\n\tfmt.Println(a + b)\n}\n",
		failing: "package main\n\nfunc main() {\n\tvar m map[string]int\n\tm[\"x\"] = 1\n}\n",
		broken:  "package main\n\nfunc main() {\n\tx := 1\n}\n",
	},
	"javascript": {
		correct: "const [a, b] = require('fs').readFileSync(0, 'utf8').trim().split(/\\s+/).map(BigInt);\nconsole.log((a + b).toString());\n",
		wrong:   "const [a, b] = require('fs').readFileSync(0, 'utf8').trim().split(/\\s+/).map(Number);\nconsole.log(String(a - b));\n",
		failing: "null.x;\n",
		broken:  "",
	},
}

// TestEveryLanguageJudgesCorrectly submits a correct, a wrong, a failing and
// a broken a-plus-b in every language through the API.
func TestEveryLanguageJudgesCorrectly(t *testing.T) {
	in := start(t, t.TempDir())
	alice := login(t, in.Base, "alice", false)
	var langs []struct{ ID, Name, Version string }
	if code := alice.do(t, "GET", "/api/languages", nil, &langs); code != 200 {
		t.Fatalf("languages: %d", code)
	}
	offered := map[string]bool{}
	for _, l := range langs {
		if l.Version == "" || l.Name == "" {
			t.Errorf("language %+v lacks a name or version", l)
		}
		offered[l.ID] = true
	}
	for _, l := range codementor.Languages {
		if !offered[l.ID] {
			t.Errorf("%s is not offered (make test installs every toolchain): %+v", l.ID, langs)
		}
	}
	for _, l := range codementor.Languages {
		p := programs[l.ID]
		type probe struct {
			kind, code string
			verdict    codementor.Verdict
		}
		cases := []probe{
			{"correct", p.correct, codementor.VerdictAccepted},
			{"wrong", p.wrong, codementor.VerdictWrongAnswer},
			{"failing", p.failing, codementor.VerdictRuntimeError},
		}
		if p.broken != "" {
			cases = append(cases, probe{"broken", p.broken, codementor.VerdictCompilationError})
		}
		for _, c := range cases {
			t.Run(l.ID+"/"+c.kind, func(t *testing.T) {
				if !offered[l.ID] {
					t.Skip("not offered")
				}
				f := alice.judgeOne(t, "a-plus-b", l.ID, c.code)
				if f.Verdict != c.verdict {
					t.Fatalf("verdict %s, want %s; compile output %q; tests %+v", f.Verdict, c.verdict, f.CompileOutput, f.Tests)
				}
				switch c.verdict {
				case codementor.VerdictCompilationError:
					if f.CompileOutput == "" {
						t.Error("no compiler message")
					}
				case codementor.VerdictRuntimeError:
					if f.Tests[0].ExitCode == 0 && f.Tests[0].Signal == "" {
						t.Errorf("runtime error without an exit code or signal: %+v", f.Tests[0])
					}
				}
			})
		}
	}
}
