package gen

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/codementor/codementor"
)

var (
	whitespace = codementor.Checker{Kind: codementor.CheckerWhitespace}
	exact      = codementor.Checker{Kind: codementor.CheckerExact}
	float      = codementor.Checker{Kind: codementor.CheckerFloat, Tolerance: 1e-6}
)

func problems() []problem {
	return []problem{
		aPlusB(),
		fizzBuzz(),
		reverseString(),
		twoSum(),
		twoSumFunction(),
		validParentheses(),
		circleArea(),
		maxSubarray(),
		fibonacciMod(),
		countOccurrences(),
		longestCommonSubsequence(),
		wordFrequency(),
		countPrimes(),
	}
}

func aPlusB() problem {
	return problem{
		id: "a-plus-b", title: "Sum of Two Numbers", difficulty: "easy",
		timeLimitMS: 1000, memoryLimitMB: 256, checker: whitespace,
		samples: []string{"1 2\n", "-5 12\n"},
		hidden: func(r *rng) []string {
			ins := []string{
				"0 0\n",
				"2147483647 1\n",
				"-2147483648 -1\n",
				"1000000000000000000 1000000000000000000\n",
				"-1000000000000000000 -1000000000000000000\n",
				"1000000000000000000 -999999999999999999\n",
			}
			for range 3 {
				ins = append(ins, fmt.Sprintf("%d %d\n", r.between(-1e18, 1e18), r.between(-1e18, 1e18)))
			}
			return ins
		},
		solve: func(in string) string {
			t := tokens(in)
			return fmt.Sprintf("%d\n", t.int()+t.int())
		},
	}
}

func fizzBuzz() problem {
	return problem{
		id: "fizzbuzz", title: "FizzBuzz", difficulty: "easy",
		timeLimitMS: 1000, memoryLimitMB: 256, checker: exact,
		samples: []string{"15\n"},
		hidden: func(*rng) []string {
			return []string{"1\n", "2\n", "5\n", "30\n", "100\n", "99999\n"}
		},
		solve: func(in string) string {
			n := tokens(in).int()
			var b strings.Builder
			for i := int64(1); i <= n; i++ {
				switch {
				case i%15 == 0:
					b.WriteString("FizzBuzz\n")
				case i%3 == 0:
					b.WriteString("Fizz\n")
				case i%5 == 0:
					b.WriteString("Buzz\n")
				default:
					fmt.Fprintf(&b, "%d\n", i)
				}
			}
			return b.String()
		},
	}
}

func reverseString() problem {
	printable := func(r *rng, n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(33 + r.intn(94))
		}
		return string(b)
	}
	return problem{
		id: "reverse-string", title: "Reverse a String", difficulty: "easy",
		timeLimitMS: 1000, memoryLimitMB: 256, checker: whitespace,
		samples: []string{"hello\n", "CodeMentor!\n"},
		hidden: func(r *rng) []string {
			return []string{
				"a\n",
				"ab\n",
				"racecar\n",
				"!\"#$%&'()*+,-./0123456789:;<=>?@[\\]^_`{|}~\n",
				printable(r, 1000) + "\n",
				printable(r, 100000) + "\n",
			}
		},
		solve: func(in string) string {
			b := []byte(tokens(in).str())
			slices.Reverse(b)
			return string(b) + "\n"
		},
	}
}

func twoSum() problem {
	return problem{
		id: "two-sum", title: "Two Sum", difficulty: "easy",
		timeLimitMS: 1000, memoryLimitMB: 256, checker: whitespace,
		samples: []string{"4 9\n2 7 11 15\n", "3 6\n3 2 4\n"},
		hidden: func(r *rng) []string {
			ins := []string{
				"2 6\n3 3\n",
				"2 -3\n-1 -2\n",
				"5 -8\n-3 -1 -5 4 10\n",
				"4 0\n1 0 -1 5\n",
				"3 2000000000\n1000000000 -1000000000 1000000000\n",
				"6 -2000000000\n0 -1000000000 7 7 7 -1000000000\n",
			}
			x, y := r.between(-1e9, 1e9), r.between(-1e9, 1e9)
			ins = append(ins, twoSumDistinct(r, x, y))
			x = 600000000 + r.between(0, 999)
			return append(ins, twoSumFar(r, x, 1234567890-x))
		},
		solve: func(in string) string {
			i, j := twoSumPair(in)
			return fmt.Sprintf("%d %d\n", i+1, j+1)
		},
	}
}

// twoSumFunction is two-sum as LeetCode asks it: the learner writes only the
// function, which returns 0-based indices, and the values fit in 32 bits.
func twoSumFunction() problem {
	return problem{
		id: "two-sum-function", title: "Two Sum (function)", difficulty: "easy",
		timeLimitMS: 1000, memoryLimitMB: 256, checker: whitespace,
		function: true,
		samples:  []string{"4 9\n2 7 11 15\n", "3 6\n3 2 4\n"},
		hidden: func(r *rng) []string {
			ins := []string{
				"2 6\n3 3\n",
				"2 -3\n-1 -2\n",
				"5 -8\n-3 -1 -5 4 10\n",
				"4 0\n1 0 -1 5\n",
				"3 1000000000\n500000000 -1000000000 500000000\n",
				"5 -1000000000\n-1000000000 3 3 -3 0\n",
			}
			target := r.between(-1e9, 1e9)
			x := r.between(max(-1e9, target-1e9), min(1e9, target+1e9))
			ins = append(ins, twoSumDistinct(r, x, target-x))
			x = 500000000 + r.between(0, 999)
			return append(ins, twoSumFar(r, x, 987654321-x))
		},
		solve: func(in string) string {
			i, j := twoSumPair(in)
			return fmt.Sprintf("%d %d\n", i, j)
		},
	}
}

// twoSumInput formats a two-sum test: n and the target, then the array.
func twoSumInput(target int64, a []int64) string {
	return fmt.Sprintf("%d %d\n%s\n", len(a), target, joinInts(a))
}

// twoSumPlace puts x and y into a at random positions i < j, i at least from.
func twoSumPlace(r *rng, a []int64, x, y int64, from int) []int64 {
	i := from + r.intn(len(a)-from+1)
	a = slices.Insert(a, i, x)
	j := i + 1 + r.intn(len(a)-i)
	return slices.Insert(a, j, y)
}

// twoSumDistinct returns a test of 20000 distinct values in [-1e9, 1e9]
// whose only pair is x and y; a filler value is rejected if it would make a
// second pair.
func twoSumDistinct(r *rng, x, y int64) string {
	target := x + y
	seen := map[int64]bool{x: true, y: true}
	var a []int64
	for len(a) < 20000-2 {
		v := r.between(-1e9, 1e9)
		if seen[v] || seen[target-v] || 2*v == target {
			continue
		}
		seen[v] = true
		a = append(a, v)
	}
	return twoSumInput(target, twoSumPlace(r, a, x, y, 0))
}

// twoSumFar returns a test of 100000 small values, duplicates among them,
// and the only pair, x and y (both far outside the small values), far from
// the start, so that quadratic solutions time out.
func twoSumFar(r *rng, x, y int64) string {
	var a []int64
	for range 100000 - 2 {
		a = append(a, r.between(-9999, 9999))
	}
	return twoSumInput(x+y, twoSumPlace(r, a, x, y, 80000))
}

// twoSumPair returns the 0-based positions i < j of the only pair of a
// two-sum input that adds up to its target; it panics unless exactly one
// pair does.
func twoSumPair(in string) (int, int) {
	t := tokens(in)
	n, target := t.int(), t.int()
	a := t.ints(int(n))
	count := map[int64]int{}
	pairs, i, j := 0, -1, -1
	for k, v := range a {
		if c := count[target-v]; c > 0 {
			pairs += c
			if j < 0 {
				i, j = slices.Index(a, target-v), k
			}
		}
		count[v]++
	}
	if pairs != 1 {
		panic(fmt.Sprintf("two-sum input has %d pairs, want 1", pairs))
	}
	return i, j
}

func validParentheses() problem {
	const opens, closes = "([{", ")]}"
	// valid returns a random balanced string of length n (even).
	valid := func(r *rng, n int) []byte {
		var s, stack []byte
		for len(s) < n {
			left := n - len(s)
			if len(stack) == 0 || (len(stack) < left && r.intn(2) == 0) {
				k := r.intn(3)
				s = append(s, opens[k])
				stack = append(stack, closes[k])
			} else {
				s = append(s, stack[len(stack)-1])
				stack = stack[:len(stack)-1]
			}
		}
		return s
	}
	// mixed returns count strings of lengths 1 to maxLen, half of them
	// balanced and the rest most likely not.
	mixed := func(r *rng, count, maxLen int) string {
		lines := []string{strconv.Itoa(count)}
		for range count {
			n := 1 + r.intn(maxLen)
			var s []byte
			switch r.intn(4) {
			case 0, 1:
				s = valid(r, n+n%2)
			case 2: // one character changed
				s = valid(r, n+n%2)
				s[r.intn(len(s))] = "()[]{}"[r.intn(6)]
			default: // anything
				s = make([]byte, n)
				for i := range s {
					s[i] = "()[]{}"[r.intn(6)]
				}
			}
			lines = append(lines, string(s))
		}
		return strings.Join(lines, "\n") + "\n"
	}
	return problem{
		id: "valid-parentheses", title: "Valid Parentheses", difficulty: "easy",
		timeLimitMS: 1000, memoryLimitMB: 256, checker: whitespace,
		samples: []string{"4\n()\n()[]{}\n(]\n{[]}\n"},
		hidden: func(r *rng) []string {
			deep := strings.Repeat("(", 50000) + strings.Repeat(")", 50000)
			unclosed := strings.Repeat("[", 50000) + strings.Repeat("]", 49999)
			return []string{
				"1\n(\n",
				"1\n)\n",
				"6\n([)]\n((\n())\n][\n{}}{\n([]{})\n",
				mixed(r, 200, 12),
				"3\n" + deep + "\n" + string(valid(r, 60000)) + "\n" + unclosed + "\n",
				mixed(r, 5000, 40),
			}
		},
		solve: func(in string) string {
			t := tokens(in)
			var out strings.Builder
			for range t.int() {
				s := t.str()
				var stack []byte
				ok := true
				for i := 0; i < len(s) && ok; i++ {
					if k := strings.IndexByte(opens, s[i]); k >= 0 {
						stack = append(stack, closes[k])
					} else if len(stack) > 0 && stack[len(stack)-1] == s[i] {
						stack = stack[:len(stack)-1]
					} else {
						ok = false
					}
				}
				if ok && len(stack) == 0 {
					out.WriteString("YES\n")
				} else {
					out.WriteString("NO\n")
				}
			}
			return out.String()
		},
	}
}

func circleArea() problem {
	radii := func(r *rng, count int, max int64) string {
		lines := []string{strconv.Itoa(count)}
		for range count {
			thousandths := r.between(0, max*1000)
			lines = append(lines, fmt.Sprintf("%d.%03d", thousandths/1000, thousandths%1000))
		}
		return strings.Join(lines, "\n") + "\n"
	}
	return problem{
		id: "circle-area", title: "Circle Area", difficulty: "easy",
		timeLimitMS: 1000, memoryLimitMB: 256, checker: float,
		samples: []string{"2\n1\n2.5\n"},
		hidden: func(r *rng) []string {
			return []string{
				"1\n0\n",
				"3\n0.001\n0.01\n0.1\n",
				"1\n10000\n",
				"4\n7\n3.3\n123.456\n9999.999\n",
				radii(r, 100, 10),
				radii(r, 10000, 10000),
			}
		},
		solve: func(in string) string {
			t := tokens(in)
			var out strings.Builder
			for range t.int() {
				r, err := strconv.ParseFloat(t.str(), 64)
				if err != nil {
					panic(err)
				}
				fmt.Fprintf(&out, "%.9f\n", math.Pi*r*r)
			}
			return out.String()
		},
	}
}

func maxSubarray() problem {
	array := func(r *rng, n int, lo, hi int64) string {
		a := make([]int64, n)
		for i := range a {
			a[i] = r.between(lo, hi)
		}
		return fmt.Sprintf("%d\n%s\n", n, joinInts(a))
	}
	return problem{
		id: "max-subarray", title: "Maximum Subarray Sum", difficulty: "medium",
		timeLimitMS: 1000, memoryLimitMB: 256, checker: whitespace,
		samples: []string{"9\n-2 1 -3 4 -1 2 1 -5 4\n"},
		hidden: func(r *rng) []string {
			return []string{
				"1\n-5\n",
				"1\n7\n",
				"4\n-3 -1 -2 -4\n",
				"5\n1 2 3 4 5\n",
				"3\n1000000000 1000000000 1000000000\n",
				"5\n5 -10 3 -1 4\n",
				fmt.Sprintf("1000\n%s\n", strings.TrimSpace(strings.Repeat("-1000000000 ", 1000))),
				array(r, 20000, -1e9, 1e9),
				array(r, 100000, -100, 100),
			}
		},
		solve: func(in string) string {
			t := tokens(in)
			a := t.ints(int(t.int()))
			best, cur := a[0], a[0]
			for _, v := range a[1:] {
				cur = max(v, cur+v)
				best = max(best, cur)
			}
			return fmt.Sprintf("%d\n", best)
		},
	}
}

func fibonacciMod() problem {
	queries := func(r *rng, count int, max int64) string {
		a := make([]int64, count)
		for i := range a {
			a[i] = r.between(0, max)
		}
		return fmt.Sprintf("%d\n%s\n", count, joinIntsSep(a, "\n"))
	}
	return problem{
		id: "fibonacci-mod", title: "Fibonacci Modulo", difficulty: "medium",
		timeLimitMS: 1000, memoryLimitMB: 256, checker: whitespace,
		samples: []string{"3\n0\n1\n10\n"},
		hidden: func(r *rng) []string {
			return []string{
				"1\n2\n",
				"5\n44\n45\n46\n47\n100\n",
				"1\n1000000000000000000\n",
				"4\n1000000006\n1000000007\n1000000008\n2000000016\n",
				queries(r, 1000, 1000000),
				queries(r, 1000, 1e18),
			}
		},
		solve: func(in string) string {
			t := tokens(in)
			var out strings.Builder
			for range t.int() {
				f, _ := fib(uint64(t.int()))
				fmt.Fprintf(&out, "%d\n", f)
			}
			return out.String()
		},
	}
}

const fibMod = 1_000_000_007

// fib returns F(n) and F(n+1) modulo fibMod by fast doubling.
func fib(n uint64) (uint64, uint64) {
	if n == 0 {
		return 0, 1
	}
	a, b := fib(n / 2)
	c := a * ((2*b + fibMod - a) % fibMod) % fibMod // F(2k)
	d := (a*a + b*b) % fibMod                       // F(2k+1)
	if n%2 == 0 {
		return c, d
	}
	return d, (c + d) % fibMod
}

func countOccurrences() problem {
	instance := func(r *rng, n, q int, lo, hi int64) string {
		a := make([]int64, n)
		for i := range a {
			a[i] = r.between(lo, hi)
		}
		slices.Sort(a)
		x := make([]int64, q)
		for i := range x {
			if r.intn(4) == 0 {
				x[i] = r.between(lo-2, hi+2)
			} else {
				x[i] = a[r.intn(n)]
			}
		}
		return fmt.Sprintf("%d %d\n%s\n%s\n", n, q, joinInts(a), joinInts(x))
	}
	return problem{
		id: "count-occurrences", title: "Count Occurrences", difficulty: "easy",
		timeLimitMS: 1000, memoryLimitMB: 256, checker: whitespace,
		samples: []string{"6 4\n1 2 2 2 5 7\n2 5 3 8\n"},
		hidden: func(r *rng) []string {
			return []string{
				"1 3\n5\n4 5 6\n",
				"5 3\n7 7 7 7 7\n7 6 8\n",
				"6 5\n-1000000000 -1000000000 -3 0 1000000000 1000000000\n-1000000000 1000000000 0 -4 999999999\n",
				instance(r, 100, 100, -20, 20),
				instance(r, 2000, 2000, -1e9, 1e9),
				instance(r, 100000, 50000, 1, 300),
			}
		},
		solve: func(in string) string {
			t := tokens(in)
			n, q := t.int(), t.int()
			a := t.ints(int(n))
			var out strings.Builder
			for range q {
				x := t.int()
				lo := sort.Search(len(a), func(i int) bool { return a[i] >= x })
				hi := sort.Search(len(a), func(i int) bool { return a[i] > x })
				fmt.Fprintf(&out, "%d\n", hi-lo)
			}
			return out.String()
		},
	}
}

func longestCommonSubsequence() problem {
	word := func(r *rng, n int, alphabet string) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = alphabet[r.intn(len(alphabet))]
		}
		return string(b)
	}
	const letters = "abcdefghijklmnopqrstuvwxyz"
	return problem{
		id: "longest-common-subsequence", title: "Longest Common Subsequence", difficulty: "medium",
		timeLimitMS: 2000, memoryLimitMB: 256, checker: whitespace,
		samples: []string{"abcde\nace\n", "abc\ndef\n"},
		hidden: func(r *rng) []string {
			same := word(r, 2000, letters)
			return []string{
				"a\na\n",
				"a\nb\n",
				"z\n" + word(r, 1999, letters) + "z\n",
				same + "\n" + same + "\n",
				word(r, 2000, "abcdefghijklm") + "\n" + word(r, 2000, "nopqrstuvwxyz") + "\n",
				word(r, 500, letters) + "\n" + word(r, 2000, letters) + "\n",
				word(r, 2000, letters) + "\n" + word(r, 2000, letters) + "\n",
				word(r, 2000, "ab") + "\n" + word(r, 1999, "ab") + "\n",
			}
		},
		solve: func(in string) string {
			t := tokens(in)
			a, b := t.str(), t.str()
			prev, cur := make([]int, len(b)+1), make([]int, len(b)+1)
			for i := range len(a) {
				for j := range len(b) {
					if a[i] == b[j] {
						cur[j+1] = prev[j] + 1
					} else {
						cur[j+1] = max(prev[j+1], cur[j])
					}
				}
				prev, cur = cur, prev
			}
			return fmt.Sprintf("%d\n", prev[len(b)])
		},
	}
}

func wordFrequency() problem {
	// text returns about size bytes of prose-like text over a random
	// vocabulary, words drawn with Zipf-like frequencies.
	text := func(r *rng, size, vocabulary int) string {
		words := make([]string, vocabulary)
		weights := make([]float64, vocabulary)
		total := 0.0
		for i := range words {
			b := make([]byte, 1+r.intn(9))
			for j := range b {
				b[j] = byte('a' + r.intn(26))
			}
			words[i] = string(b)
			total += 1 / float64(i+1)
			weights[i] = total
		}
		var out strings.Builder
		column := 0
		for out.Len() < size {
			k, _ := slices.BinarySearch(weights, r.float()*total)
			w := words[min(k, vocabulary-1)]
			switch r.intn(50) {
			case 0:
				w = strings.ToUpper(w)
			case 1, 2, 3, 4:
				w = strings.ToUpper(w[:1]) + w[1:]
			}
			out.WriteString(w)
			column += len(w)
			switch p := r.intn(40); {
			case p < 3:
				out.WriteByte(".,;:!?'\"-)("[r.intn(11)])
			case p < 4:
				out.WriteString(strconv.Itoa(r.intn(2000)))
			}
			if column > 70 {
				out.WriteByte('\n')
				column = 0
			} else {
				out.WriteByte(' ')
				column++
			}
		}
		return out.String() + "\n"
	}
	return problem{
		id: "word-frequency", title: "Word Frequency", difficulty: "medium",
		timeLimitMS: 1000, memoryLimitMB: 256, checker: whitespace,
		samples: []string{"2\nThe cat and the hat.\nTHE END\n"},
		hidden: func(r *rng) []string {
			return []string{
				"1\nhello\n",
				"10\nOne fish, two fish; red fish, blue fish.\n",
				"5\nDon't stop-believing!!! 42isNot a_word, is it? IT is.\n\n  Tabs\tand   spaces\t\tcount   as separators.\n",
				"3\nb a c B A C b a c\n",
				"20\n" + text(r, 5000, 100),
				"100\n" + text(r, 300000, 3000),
			}
		},
		solve: func(in string) string {
			_, rest, _ := strings.Cut(in, "\n")
			k := tokens(in).int()
			count := map[string]int{}
			start := -1
			lower := strings.ToLower(rest) + " "
			for i := 0; i < len(lower); i++ {
				letter := lower[i] >= 'a' && lower[i] <= 'z'
				if letter && start < 0 {
					start = i
				} else if !letter && start >= 0 {
					count[lower[start:i]]++
					start = -1
				}
			}
			words := make([]string, 0, len(count))
			for w := range count {
				words = append(words, w)
			}
			slices.SortFunc(words, func(a, b string) int {
				if count[a] != count[b] {
					return count[b] - count[a]
				}
				return strings.Compare(a, b)
			})
			if len(words) == 0 {
				panic("word-frequency input has no words")
			}
			var out strings.Builder
			for _, w := range words[:min(int(k), len(words))] {
				fmt.Fprintf(&out, "%s %d\n", w, count[w])
			}
			return out.String()
		},
	}
}

func countPrimes() problem {
	const limit = 1000000
	queries := func(r *rng, count int) string {
		a := make([]int64, count)
		for i := range a {
			a[i] = r.between(1, limit)
		}
		return fmt.Sprintf("%d\n%s\n", count, joinIntsSep(a, "\n"))
	}
	return problem{
		id: "count-primes", title: "Counting Primes", difficulty: "medium",
		timeLimitMS: 1000, memoryLimitMB: 256, checker: whitespace,
		samples: []string{"3\n10\n1\n100\n"},
		hidden: func(r *rng) []string {
			return []string{
				"1\n2\n",
				"4\n3\n4\n5\n6\n",
				"1\n1000000\n",
				"3\n999983\n999982\n999979\n",
				queries(r, 100),
				queries(r, 30000),
			}
		},
		solve: func(in string) string {
			composite := make([]bool, limit+1)
			pi := make([]int, limit+1)
			for i := 2; i <= limit; i++ {
				pi[i] = pi[i-1]
				if !composite[i] {
					pi[i]++
					for j := i * i; j <= limit; j += i {
						composite[j] = true
					}
				}
			}
			t := tokens(in)
			var out strings.Builder
			for range t.int() {
				fmt.Fprintf(&out, "%d\n", pi[t.int()])
			}
			return out.String()
		},
	}
}

// tokenReader reads whitespace-separated tokens; it panics on bad input,
// which here can only be a bug in a generator.
type tokenReader struct{ fields []string }

func tokens(s string) *tokenReader { return &tokenReader{strings.Fields(s)} }

func (t *tokenReader) str() string {
	if len(t.fields) == 0 {
		panic("input ended early")
	}
	s := t.fields[0]
	t.fields = t.fields[1:]
	return s
}

func (t *tokenReader) int() int64 {
	v, err := strconv.ParseInt(t.str(), 10, 64)
	if err != nil {
		panic(err)
	}
	return v
}

func (t *tokenReader) ints(n int) []int64 {
	a := make([]int64, n)
	for i := range a {
		a[i] = t.int()
	}
	return a
}

func joinInts(a []int64) string { return joinIntsSep(a, " ") }

func joinIntsSep(a []int64, sep string) string {
	s := make([]string, len(a))
	for i, v := range a {
		s[i] = strconv.FormatInt(v, 10)
	}
	return strings.Join(s, sep)
}
