package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
)

func main() {
	sc := bufio.NewScanner(os.Stdin)
	sc.Split(bufio.ScanWords)
	next := func() int64 {
		sc.Scan()
		v, err := strconv.ParseInt(sc.Text(), 10, 64)
		if err != nil {
			panic(err)
		}
		return v
	}
	n := next()
	best := next()
	cur := best
	for range n - 1 {
		v := next()
		cur = max(v, cur+v)
		best = max(best, cur)
	}
	fmt.Println(best)
}
