package judge0

import (
	"slices"
	"strings"

	codementor "github.com/codementor/codementor"
)

// Language is one of Judge0 CE 1.13.1's languages that CodeMentor runs.
type Language struct {
	// ID is Judge0 CE 1.13.1's language_id; Judge0Name its name there.
	ID         int
	Judge0Name string
	// Lang is CodeMentor's language ID (codementor.Languages).
	Lang string
	// Family and Toolchain make the name the API shows: "Family (Toolchain
	// version)", Judge0's form, with the version the judges run.
	Family, Toolchain string
	// SourceFile, CompileCmd and RunCmd describe how a program is built and
	// run, as Judge0's /languages/{id} does; CompileCmd is empty for an
	// interpreted language and has %s where compiler_options go.
	SourceFile, CompileCmd, RunCmd string
}

// Languages are the languages of the API, by Judge0 CE 1.13.1's ids and
// names (db/languages/active.rb): one id per CodeMentor language, the one
// the Judge0 Python SDK's aliases resolve to for 1.13.1 (C++ is 52, GCC).
// A deployment offers those whose toolchain its judges have.
var Languages = []Language{
	{ID: 46, Judge0Name: "Bash (5.0.0)", Lang: "bash", Family: "Bash", SourceFile: "script.sh", RunCmd: "bash script.sh"},
	{ID: 50, Judge0Name: "C (GCC 9.2.0)", Lang: "c", Family: "C", Toolchain: "GCC", SourceFile: "main.c", CompileCmd: "gcc -O2 -std=c17 %s -o main main.c -lm", RunCmd: "./main"},
	{ID: 51, Judge0Name: "C# (Mono 6.6.0.161)", Lang: "csharp", Family: "C#", SourceFile: "Main.cs", CompileCmd: "csc %s Main.cs", RunCmd: "./Main"},
	{ID: 52, Judge0Name: "C++ (GCC 7.4.0)", Lang: "cpp", Family: "C++", Toolchain: "GCC", SourceFile: "main.cpp", CompileCmd: "g++ -O2 -std=c++17 %s -o main main.cpp", RunCmd: "./main"},
	{ID: 60, Judge0Name: "Go (1.13.5)", Lang: "go", Family: "Go", SourceFile: "main.go", CompileCmd: "go build %s -o main main.go", RunCmd: "./main"},
	{ID: 62, Judge0Name: "Java (OpenJDK 13.0.1)", Lang: "java", Family: "Java", Toolchain: "OpenJDK", SourceFile: "Main.java", CompileCmd: "javac %s Main.java", RunCmd: "java Main"},
	{ID: 63, Judge0Name: "JavaScript (Node.js 12.14.0)", Lang: "javascript", Family: "JavaScript", Toolchain: "Node.js", SourceFile: "main.js", RunCmd: "node main.js"},
	{ID: 64, Judge0Name: "Lua (5.3.5)", Lang: "lua", Family: "Lua", SourceFile: "script.lua", RunCmd: "lua script.lua"},
	{ID: 68, Judge0Name: "PHP (7.4.1)", Lang: "php", Family: "PHP", SourceFile: "script.php", RunCmd: "php script.php"},
	{ID: 71, Judge0Name: "Python (3.8.1)", Lang: "python", Family: "Python", SourceFile: "main.py", RunCmd: "python3 main.py"},
	{ID: 72, Judge0Name: "Ruby (2.7.0)", Lang: "ruby", Family: "Ruby", SourceFile: "script.rb", RunCmd: "ruby script.rb"},
	{ID: 73, Judge0Name: "Rust (1.40.0)", Lang: "rust", Family: "Rust", SourceFile: "main.rs", CompileCmd: "rustc %s main.rs", RunCmd: "./main"},
	{ID: 74, Judge0Name: "TypeScript (3.7.4)", Lang: "typescript", Family: "TypeScript", SourceFile: "script.ts", CompileCmd: "tsc %s script.ts", RunCmd: "node script.js"},
	{ID: 78, Judge0Name: "Kotlin (1.3.70)", Lang: "kotlin", Family: "Kotlin", SourceFile: "Main.kt", CompileCmd: "kotlinc %s Main.kt", RunCmd: "kotlin MainKt"},
	{ID: 85, Judge0Name: "Perl (5.28.1)", Lang: "perl", Family: "Perl", SourceFile: "script.pl", RunCmd: "perl script.pl"},
}

// ByID returns the language of a Judge0 language_id.
func ByID(id int) (*Language, bool) {
	i := slices.IndexFunc(Languages, func(l Language) bool { return l.ID == id })
	if i < 0 {
		return nil, false
	}
	return &Languages[i], true
}

// ByLang returns the language of a CodeMentor language ID.
func ByLang(lang string) (*Language, bool) {
	i := slices.IndexFunc(Languages, func(l Language) bool { return l.Lang == lang })
	if i < 0 {
		return nil, false
	}
	return &Languages[i], true
}

// Name is the language's name with the version the judges run, in Judge0's
// form ("Python (3.11.2)", "C (GCC 12.2.0)"); Judge0's own name when the
// version is unknown.
func (l *Language) Name(version string) string {
	if version == "" {
		return l.Judge0Name
	}
	return l.Family + " (" + strings.TrimSpace(l.Toolchain+" "+version) + ")"
}

// Versions maps each CodeMentor language the judges offer to its
// toolchain's version: what a deployment offers.
type Versions map[string]string

// Offered returns the languages of vs, by Judge0 id.
func (vs Versions) Offered() []*Language {
	var out []*Language
	for i := range Languages {
		if _, ok := vs[Languages[i].Lang]; ok {
			out = append(out, &Languages[i])
		}
	}
	return out
}

// CompilerOptionLanguages returns the families of the languages whose
// compiler takes options here (codementor.CompilerOptionsAllowed), in
// Judge0's form of allowed_languages_for_compile_options.
func CompilerOptionLanguages() []string {
	var out []string
	for _, l := range Languages {
		if len(codementor.CompilerOptionsAllowed(l.Lang)) > 0 {
			out = append(out, l.Family)
		}
	}
	return out
}
