package main

func solve(m map[string]int) int {
	var counts map[string]int
	counts["x"] = len(m)
	return counts["x"]
}
