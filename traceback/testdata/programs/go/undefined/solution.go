package main

func solved(n int) int { return n * 2 }
