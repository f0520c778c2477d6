// Command startupgraph-bench is the reproducible benchmark of issue 7: it
// seeds synthetic datasets, serves them with startupgraph and measures it
// over HTTP on 127.0.0.1 against two floors. See bench/README.md; the
// logic lives in internal/bench.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"startupgraph/internal/bench"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "startupgraph-bench:", err)
		}
		stop()
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string) error {
	_, err := bench.Run(ctx, bench.Env{Args: args, Getenv: getenv, Stdout: os.Stdout, Stderr: os.Stderr})
	return err
}
