package main

import (
	"bufio"
	"os"
	"strconv"
)

func balanced(s []byte) bool {
	var stack []byte
	for _, c := range s {
		switch c {
		case '(':
			stack = append(stack, ')')
		case '[':
			stack = append(stack, ']')
		case '{':
			stack = append(stack, '}')
		default:
			if len(stack) == 0 || stack[len(stack)-1] != c {
				return false
			}
			stack = stack[:len(stack)-1]
		}
	}
	return len(stack) == 0
}

func main() {
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	sc.Split(bufio.ScanWords)
	sc.Scan()
	t, err := strconv.Atoi(sc.Text())
	if err != nil {
		panic(err)
	}
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for range t {
		sc.Scan()
		if balanced(sc.Bytes()) {
			out.WriteString("YES\n")
		} else {
			out.WriteString("NO\n")
		}
	}
}
