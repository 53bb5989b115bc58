// Command unwind is a wasip1 program for TestPruneResumes: plain Go whose
// functions are resumed by the runtime in every way a compiled function
// can be (after a goroutine switch, after its stack grew, after a
// recovered panic), so that a dispatch entry pruned wrongly traps. It
// prints what it computed; the test compares that with the unrewritten
// module's output.
package main

import (
	"errors"
	"fmt"
	"runtime"
	"sort"
	"strconv"
	"strings"
)

type shape interface{ area() int }

type rect struct{ w, h int }

func (r rect) area() int { return r.w * r.h }

type square int

func (s square) area() int { return int(s) * int(s) }

// deep recurses with a large frame, so the goroutine's stack grows (the
// runtime unwinds the wasm stack and resumes every frame at its call's
// return address), and yields now and then (a goroutine switch).
//
//go:noinline
func deep(n int, acc []int) int {
	var pad [48]int
	pad[n%48] = n
	if n == 0 {
		return len(acc) + pad[0]
	}
	if n%97 == 0 {
		runtime.Gosched()
	}
	return deep(n-1, append(acc, n)) + pad[n%48]%7
}

func fib(n int) int {
	if n < 2 {
		return n
	}
	return fib(n-1) + fib(n-2)
}

// worker answers on out for each value on in: a channel operation parks
// the goroutine, and the next one resumes where it parked.
func worker(in <-chan int, out chan<- string) {
	for v := range in {
		out <- strconv.Itoa(v) + "=" + strconv.Itoa(fib(v%18))
	}
}

var errZero = errors.New("zero")

// quotient recovers its own panic: the runtime resumes it at its
// deferreturn call.
func quotient(a, b int) (q int, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %v", errZero, r)
		}
	}()
	return a / b, nil
}

// sum calls through an interface and a closure (indirect calls) in a loop.
func sum(shapes []shape, f func(int) int) int {
	t := 0
	for i, s := range shapes {
		t += f(s.area() + i)
		if i%50 == 49 {
			runtime.Gosched()
		}
	}
	return t
}

func main() {
	total := 0
	for i := 0; i < 40; i++ {
		total += deep(300+i*41, nil)
	}

	in, out := make(chan int), make(chan string, 3)
	for range 4 {
		go worker(in, out)
	}
	go func() {
		for i := range 300 {
			in <- i
		}
		close(in)
	}()
	var answers []string
	for range 300 {
		answers = append(answers, <-out)
	}
	sort.Strings(answers)

	zeros := 0
	qs := 0
	for i := range 600 {
		q, err := quotient(i*13, i%7)
		if errors.Is(err, errZero) {
			zeros++
		}
		qs += q
	}

	var shapes []shape
	for i := range 400 {
		if i%3 == 0 {
			shapes = append(shapes, square(i))
		} else {
			shapes = append(shapes, rect{i, i % 11})
		}
	}
	k := 3
	areas := sum(shapes, func(a int) int { k = (k*31 + a) % 1000003; return a + k })

	runtime.GC()
	fmt.Println(total, zeros, qs, areas, len(answers), strings.Join(answers[:4], ","), answers[len(answers)-1])
}
