package main

func solve(n int) int {
	return n *
}
