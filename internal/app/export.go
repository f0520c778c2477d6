package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"

	"startupgraph/internal/config"
	"startupgraph/internal/server"
	"startupgraph/internal/store"
	"startupgraph/internal/viewer"
)

const exportUsage = `usage:
  startupgraph export [--format csv|xlsx] --query-file FILE|- [--variables JSON] [--operation-name NAME] [--key sg_…] > out.csv

Exports the one connection of the query in FILE (- reads stdin) to stdout,
every page, as /export does. It runs in-process against DATABASE_URL (the
project-local cluster without it), through the same handler stack as the
server: without --key as the system (ADMIN, every team); with --key as that
API key, its scope and limits.
`

// exportFlags are export's own flags; the rest are the configuration's.
var exportFlags = map[string]bool{"format": true, "query-file": true, "variables": true, "operation-name": true, "key": true}

// runExport writes an export to stdout: the /export handler of an
// in-process server, so scope, cost and validation are the server's.
func runExport(ctx context.Context, args []string, env Env) error {
	opts, rest, err := splitFlags(args, exportFlags)
	if err != nil {
		fmt.Fprint(env.Stderr, exportUsage)
		return err
	}
	file := opts["query-file"]
	if file == "" {
		fmt.Fprint(env.Stderr, exportUsage)
		return errors.New("export: give --query-file")
	}
	query, err := readQuery(file)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	payload := map[string]any{"query": query, "format": opts["format"], "operationName": opts["operation-name"]}
	if v := opts["variables"]; v != "" {
		var vars map[string]any
		if err := json.Unmarshal([]byte(v), &vars); err != nil {
			return fmt.Errorf("export: --variables must be a JSON object: %w", err)
		}
		payload["variables"] = vars
	}
	body, err := json.Marshal(payload)
	if err != nil {
		return err
	}
	cfg, rest, logger, err := load("export", rest, env)
	if err != nil {
		return err
	}
	s, closeDB, err := database(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer closeDB()
	return exportTo(ctx, s, cfg, logger, opts["key"], body, env.Stdout)
}

func readQuery(file string) (string, error) {
	var b []byte
	var err error
	if file == "-" {
		b, err = io.ReadAll(os.Stdin)
	} else {
		b, err = os.ReadFile(file)
	}
	return string(b), err
}

// exportTo serves one /export request in-process and copies the file to
// out; an error answer becomes the returned error.
func exportTo(ctx context.Context, s *store.Store, cfg config.Config, logger *slog.Logger, key string, body []byte, out io.Writer) (err error) {
	h := server.NewHandler(server.Deps{Config: cfg, Logger: logger, Store: s, Local: &viewer.System})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "/export", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	w := &fileWriter{out: out, header: http.Header{}}
	defer func() {
		if p := recover(); p != nil {
			if p != http.ErrAbortHandler {
				panic(p)
			}
			err = errors.New("export: cut short part-way (see the log above); the output is incomplete")
		}
	}()
	h.ServeHTTP(w, req)
	if w.status != http.StatusOK {
		var answer struct {
			Errors []struct {
				Message    string         `json:"message"`
				Extensions map[string]any `json:"extensions"`
			} `json:"errors"`
		}
		if json.Unmarshal(w.failed.Bytes(), &answer) == nil && len(answer.Errors) > 0 {
			msgs := make([]string, len(answer.Errors))
			for i, e := range answer.Errors {
				msgs[i] = fmt.Sprintf("%s (%v)", e.Message, e.Extensions["code"])
			}
			return fmt.Errorf("export: %s", strings.Join(msgs, "; "))
		}
		return fmt.Errorf("export: status %d: %s", w.status, w.failed.String())
	}
	return w.err
}

// fileWriter is the in-process response: a 200's body goes to out, any
// other's is kept to report.
type fileWriter struct {
	out    io.Writer
	header http.Header
	status int
	failed bytes.Buffer
	err    error
}

func (w *fileWriter) Header() http.Header { return w.header }

func (w *fileWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}

func (w *fileWriter) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	if w.status != http.StatusOK {
		return w.failed.Write(b)
	}
	n, err := w.out.Write(b)
	if err != nil && w.err == nil {
		w.err = err
	}
	return n, err
}

// splitFlags takes the flags named in own (-name value, --name value,
// --name=value) out of args, anywhere in them; the rest keep their order.
func splitFlags(args []string, own map[string]bool) (map[string]string, []string, error) {
	opts := map[string]string{}
	var rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || !own[name] {
			rest = append(rest, a)
			continue
		}
		if !hasValue {
			if i+1 >= len(args) {
				return nil, nil, fmt.Errorf("export: --%s needs a value", name)
			}
			i++
			value = args[i]
		}
		opts[name] = value
	}
	return opts, rest, nil
}
