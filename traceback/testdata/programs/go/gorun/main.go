package main

import "fmt"

func main() {
	driverCases := []int{3, 0}
	for _, driverCase := range driverCases {
		fmt.Println(driverSolve(driverCase))
	}
}

func driverSolve(n int) int {
	driverAnswer := solve(n)
	return driverAnswer
}
