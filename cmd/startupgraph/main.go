// Command startupgraph serves the GraphQL API of Incheon's Global Startup
// Campus network. See README.md; the logic lives under internal/.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"startupgraph/internal/app"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "startupgraph:", err)
		}
		stop()
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string) error {
	return app.Run(ctx, app.Env{Args: args, Getenv: getenv, Stdout: os.Stdout, Stderr: os.Stderr})
}
