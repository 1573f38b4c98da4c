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
	n, target := int(next()), next()
	seen := make(map[int64]int, n)
	for j := range n {
		v := next()
		if i, ok := seen[target-v]; ok {
			fmt.Println(i+1, j+1)
			return
		}
		if _, ok := seen[v]; !ok {
			seen[v] = j
		}
	}
}
