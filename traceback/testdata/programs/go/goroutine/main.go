package main

import (
	"fmt"
	"sync"
)

func main() {
	var driverWait sync.WaitGroup
	driverWait.Add(1)
	go func() {
		defer driverWait.Done()
		fmt.Println(solve(map[string]int{}))
	}()
	driverWait.Wait()
}
