package loadgen

import (
	"slices"
	"strings"
)

// Program is a correct and a wrong solution of a question in one language.
// The wrong one is judged wrong_answer: it runs and prints an answer, the
// wrong one.
type Program struct {
	Correct, Wrong string
}

// Code returns the correct or the wrong solution.
func (p Program) Code(wrong bool) string {
	if wrong {
		return p.Wrong
	}
	return p.Correct
}

// sumOrDifference makes a Program from a template whose one "OP" is the
// operator: + in the correct solution, - in the wrong one (it prints a − b
// instead of a + b).
func sumOrDifference(template string) Program {
	if strings.Count(template, "OP") != 1 {
		panic("loadgen: a program template needs exactly one OP")
	}
	return Program{Correct: strings.Replace(template, "OP", "+", 1), Wrong: strings.Replace(template, "OP", "-", 1)}
}

// programs maps a question and a language to what learners submit for it
// with --program standard: programs as a learner would write them. Each
// reads two integers (up to 10^18 in magnitude) from stdin and prints their
// sum, exactly: 64-bit integers, BigInt in JavaScript and TypeScript.
var programs = map[string]map[string]Program{
	"a-plus-b": {
		"python": sumOrDifference(`import sys


def solve(a, b):
    return a OP b


def main():
    a, b = map(int, sys.stdin.read().split())
    print(solve(a, b))


main()
`),
		"c": sumOrDifference(`#include <stdio.h>

int main(void) {
    long long a, b;
    if (scanf("%lld %lld", &a, &b) != 2) {
        return 1;
    }
    printf("%lld\n", a OP b);
    return 0;
}
`),
		"cpp": sumOrDifference(`#include <iostream>

int main() {
    std::ios::sync_with_stdio(false);
    long long a, b;
    std::cin >> a >> b;
    std::cout << a OP b << '\n';
    return 0;
}
`),
		"java": sumOrDifference(`import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.util.StringTokenizer;

public class Main {
    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        StringTokenizer st = new StringTokenizer(in.readLine());
        long a = Long.parseLong(st.nextToken());
        long b = Long.parseLong(st.nextToken());
        System.out.println(a OP b);
    }
}
`),
		"go": sumOrDifference(`package main

import (
	"bufio"
	"fmt"
	"os"
)

func main() {
	in := bufio.NewReader(os.Stdin)
	var a, b int64
	if _, err := fmt.Fscan(in, &a, &b); err != nil {
		os.Exit(1)
	}
	fmt.Println(a OP b)
}
`),
		"javascript": sumOrDifference(`'use strict';

const [a, b] = require('fs').readFileSync(0, 'utf8').trim().split(/\s+/).map(BigInt);
console.log(String(a OP b));
`),
		"typescript": sumOrDifference(`import { readFileSync } from 'fs';

const [a, b] = readFileSync(0, 'utf8').trim().split(/\s+/).map(BigInt);
console.log(String(a OP b));
`),
		"rust": sumOrDifference(`use std::io::{self, Read};

fn main() {
    let mut input = String::new();
    io::stdin().read_to_string(&mut input).unwrap();
    let v: Vec<i64> = input.split_whitespace().map(|x| x.parse().unwrap()).collect();
    let (a, b) = (v[0], v[1]);
    println!("{}", a OP b);
}
`),
		"kotlin": sumOrDifference(`fun main() {
    val (a, b) = readLine()!!.trim().split(' ').map { it.toLong() }
    println(a OP b)
}
`),
		"csharp": sumOrDifference(`using System;

public class Program
{
    public static void Main()
    {
        string[] t = Console.ReadLine().Split(' ');
        long a = long.Parse(t[0]), b = long.Parse(t[1]);
        Console.WriteLine(a OP b);
    }
}
`),
		"ruby": sumOrDifference(`a, b = $stdin.read.split.map(&:to_i)
puts a OP b
`),
		"php": sumOrDifference(`<?php

[$a, $b] = array_map('intval', explode(' ', trim(fgets(STDIN))));
echo $a OP $b, "\n";
`),
		"perl": sumOrDifference(`use strict;
use warnings;

($a, $b) = split ' ', <STDIN>;
print $a OP $b, "\n";
`),
		"lua": sumOrDifference(`local a, b = io.read('n', 'n')
print(a OP b)
`),
		"bash": sumOrDifference(`read -r a b
echo $((a OP b))
`),
	},
}

// trivialProgram is --program trivial: the cheapest real submission, a
// Python one-liner for a-plus-b, so that a run measures the pipeline (Kafka,
// tracker, views, streams) more than the judging.
var trivialProgram = sumOrDifference("a, b = map(int, open(0).read().split()); print(a OP b)\n")

// waitingProgram is --program waiting: a-plus-b in Python that first waits
// 50 ms, as a program blocked on I/O would.
var waitingProgram = sumOrDifference("import time\ntime.sleep(0.05)\na, b = map(int, open(0).read().split())\nprint(a OP b)\n")

// programFor returns what is submitted for question in language.
func programFor(program, question, language string) (Program, bool) {
	switch program {
	case ProgramTrivial:
		return trivialProgram, question == "a-plus-b" && language == "python"
	case ProgramWaiting:
		return waitingProgram, question == "a-plus-b" && language == "python"
	}
	p, ok := programs[question][language]
	return p, ok
}

func programQuestions() []string {
	var qs []string
	for q := range programs {
		qs = append(qs, q)
	}
	slices.Sort(qs)
	return qs
}
