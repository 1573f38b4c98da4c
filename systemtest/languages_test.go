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
	"typescript": {
		correct: "import { readFileSync } from 'fs';\nconst [a, b] = readFileSync(0, 'utf8').trim().split(/\\s+/).map(BigInt);\nconsole.log((a + b).toString());\n",
		wrong:   "import { readFileSync } from 'fs';\nconst [a, b] = readFileSync(0, 'utf8').trim().split(/\\s+/).map(Number);\nconsole.log(String(a - b));\n",
		failing: "const x: any = null;\nconsole.log(x.y);\n",
		broken:  "const x: number = 'a';\nconsole.log(x);\n",
	},
	"rust": {
		correct: "use std::io::Read;\nfn main() { let mut s = String::new(); std::io::stdin().read_to_string(&mut s).unwrap(); let v: Vec<i64> = s.split_whitespace().map(|x| x.parse().unwrap()).collect(); println!(\"{}\", v[0] + v[1]); }\n",
		wrong:   "use std::io::Read;\nfn main() { let mut s = String::new(); std::io::stdin().read_to_string(&mut s).unwrap(); let v: Vec<i64> = s.split_whitespace().map(|x| x.parse().unwrap()).collect(); println!(\"{}\", v[0] - v[1]); }\n",
		failing: "fn main() { let v: Vec<i64> = Vec::new(); println!(\"{}\", v[1]); }\n",
		broken:  "fn main() { let x: i32 = \"s\"; println!(\"{}\", x); }\n",
	},
	"kotlin": {
		correct: "fun main() { val (a, b) = readLine()!!.trim().split(' ').map { it.toLong() }; println(a + b) }\n",
		wrong:   "fun main() { val (a, b) = readLine()!!.trim().split(' ').map { it.toLong() }; println(a - b) }\n",
		failing: "fun main() { throw IllegalStateException(\"boom\") }\n",
		broken:  "fun main() { val x: Int = \"s\"; println(x) }\n",
	},
	"csharp": {
		correct: "using System;\nclass P { static void Main() { var t = Console.ReadLine().Split(' '); Console.WriteLine(long.Parse(t[0]) + long.Parse(t[1])); } }\n",
		wrong:   "using System;\nclass P { static void Main() { var t = Console.ReadLine().Split(' '); Console.WriteLine(long.Parse(t[0]) - long.Parse(t[1])); } }\n",
		failing: "class P { static void Main() { throw new System.InvalidOperationException(\"boom\"); } }\n",
		broken:  "class P { static void Main() { int x = \"s\"; } }\n",
	},
	"ruby": {
		correct: "a, b = $stdin.read.split.map(&:to_i)\nputs a + b\n",
		wrong:   "a, b = $stdin.read.split.map(&:to_i)\nputs a - b\n",
		failing: "raise 'boom'\n",
		broken:  "def f(\n",
	},
	"php": {
		correct: "<?php\n[$a, $b] = array_map('intval', explode(' ', trim(fgets(STDIN))));\necho $a + $b, \"\\n\";\n",
		wrong:   "<?php\n[$a, $b] = array_map('intval', explode(' ', trim(fgets(STDIN))));\necho $a - $b, \"\\n\";\n",
		failing: "<?php\nthrow new Exception('boom');\n",
		broken:  "<?php\nfunction f( {\n",
	},
	"perl": {
		correct: "my ($x, $y) = split ' ', <STDIN>;\nprint $x + $y, \"\\n\";\n",
		wrong:   "my ($x, $y) = split ' ', <STDIN>;\nprint $x - $y, \"\\n\";\n",
		failing: "die \"boom\\n\";\n",
		broken:  "my $x = ;\n",
	},
	"lua": {
		correct: "local a, b = io.read('n', 'n')\nprint(a + b)\n",
		wrong:   "local a, b = io.read('n', 'n')\nprint(a - b)\n",
		failing: "error('boom')\n",
		broken:  "local x = = 1\n",
	},
	"bash": {
		correct: "read -r a b\necho $((a + b))\n",
		wrong:   "read -r a b\necho $((a - b))\n",
		failing: "echo boom >&2\nexit 3\n",
		broken:  "if then fi\n",
	},
}

// TestEveryLanguageJudgesCorrectly submits a correct, a wrong, a failing and
// a broken a-plus-b in every language through the API: all of them first,
// each language's from a learner of its own (a learner has at most a few
// submissions in flight), then it waits for each verdict, so that the
// judges take them in turn meanwhile rather than one language after the
// other.
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
	type probe struct {
		lang, kind, code string
		verdict          codementor.Verdict
		learner          *client
		sub              *codementor.Submission
	}
	var probes []*probe
	for _, l := range codementor.Languages {
		if !offered[l.ID] {
			continue
		}
		p, ok := programs[l.ID]
		if !ok {
			t.Errorf("no a-plus-b programs for %s", l.ID)
			continue
		}
		learner := login(t, in.Base, "learner-"+l.ID, false)
		probes = append(probes,
			&probe{l.ID, "correct", p.correct, codementor.VerdictAccepted, learner, nil},
			&probe{l.ID, "wrong", p.wrong, codementor.VerdictWrongAnswer, learner, nil},
			&probe{l.ID, "failing", p.failing, codementor.VerdictRuntimeError, learner, nil})
		if p.broken != "" {
			probes = append(probes, &probe{l.ID, "broken", p.broken, codementor.VerdictCompilationError, learner, nil})
		}
	}
	for _, p := range probes {
		p.sub = p.learner.submit(t, "a-plus-b", p.lang, p.code)
	}
	for _, p := range probes {
		t.Run(p.lang+"/"+p.kind, func(t *testing.T) {
			states := p.learner.stream(t, "/api/submissions/"+p.sub.ID+"/events", "").untilFinal(t, p.sub.ID, finalWithin)
			f := states[len(states)-1]
			if f.Verdict != p.verdict {
				t.Fatalf("verdict %s, want %s; compile output %q; tests %+v", f.Verdict, p.verdict, f.CompileOutput, f.Tests)
			}
			switch p.verdict {
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
