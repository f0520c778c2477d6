package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"startupgraph/internal/apperr"
)

// File uploads: the GraphQL multipart request specification
// (https://github.com/jaydenseric/graphql-multipart-request-spec), read
// as gqlgen's transport.MultipartForm reads it (an `operations` part, a
// `map` part, then the files), with our own bounds, in the guard, the one
// place a body is read:
//
//   - Only on /graphql, and only with a header a browser sends only after
//     a CORS preflight (Authorization, or GraphQL-Require-Preflight):
//     multipart/form-data is a "simple" content type, so without it a
//     page on another site could post a form here (the CSRF defence
//     Apollo Server applies to uploads). Without one it is refused as
//     before uploads existed: 415.
//   - `operations` is held to the JSON body's limit (MaxBodyBytes) and
//     decoded as a JSON body is; `map` to 64 KiB; at most
//     maxUploadFiles files, together at most MaxUploadBytes (413 beyond).
//   - Files are streamed to temporary files, never held in memory, and
//     removed when the request ends; the whole body must arrive within
//     the read-body timeout, like any body (408).
//   - A request that carries files gets the longer deadline of an import
//     (the export timeout) instead of the request timeout.

// MaxUploadBytes bounds the files of one multipart request together.
const MaxUploadBytes = 32 << 20

const (
	maxUploadFiles = 4
	maxMapBytes    = 64 << 10
)

// preflightHeader is the header a client without an Authorization header
// sends to show its multipart request was preflighted.
const preflightHeader = "GraphQL-Require-Preflight"

// uploads are a multipart request's files: each map key's temporary file,
// and the variable paths it goes to.
type uploads struct {
	paths map[string][]string
	files map[string]uploadFile
}

type uploadFile struct {
	path, name, contentType string
	size                    int64
}

func (u *uploads) remove() {
	for _, f := range u.files {
		_ = os.Remove(f.path)
	}
}

type uploadsKey struct{}

// uploadsOf are the files guardRequest read; nil for a request without.
func uploadsOf(ctx context.Context) *uploads {
	u, _ := ctx.Value(uploadsKey{}).(*uploads)
	return u
}

// isMultipart reports a multipart/form-data request.
func isMultipart(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == "multipart/form-data"
}

// guardUpload reads a multipart request (see above) and hands it on with
// its operations as the body and its files in the context.
func guardUpload(w http.ResponseWriter, r *http.Request, readBody time.Duration, next http.Handler) {
	if r.Header.Get("Authorization") == "" && r.Header.Get(preflightHeader) == "" {
		refuse(w, http.StatusUnsupportedMediaType, apperr.CodeUnsupportedMediaType,
			"multipart/form-data is read only with an Authorization or "+preflightHeader+" header (it would otherwise skip the CORS preflight); send JSON otherwise")
		return
	}
	limit := int64(MaxUploadBytes + MaxBodyBytes + maxMapBytes + 64<<10)
	if r.ContentLength > limit {
		refuse(w, http.StatusRequestEntityTooLarge, apperr.CodeRequestTooLarge, fmt.Sprintf("the files are over %d bytes", MaxUploadBytes))
		return
	}
	rc := http.NewResponseController(w)
	limited := readBody > 0 && rc.SetReadDeadline(time.Now().Add(readBody)) == nil
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	ops, up, status, err := readMultipart(r)
	if err != nil {
		if up != nil {
			up.remove()
		}
		switch {
		case errors.Is(err, os.ErrDeadlineExceeded):
			markTimedOut(r.Context())
			w.Header().Set("Connection", "close")
			refuse(w, http.StatusRequestTimeout, apperr.CodeRequestTimeout, fmt.Sprintf("the body did not arrive within %s of the headers", readBody))
		case status == http.StatusRequestEntityTooLarge:
			refuse(w, status, apperr.CodeRequestTooLarge, err.Error())
		default:
			refuse(w, http.StatusBadRequest, apperr.CodeBadRequest, err.Error())
		}
		return
	}
	defer up.remove()
	if limited {
		_ = rc.SetReadDeadline(time.Time{})
	}
	if trimmed := bytes.TrimLeft(ops, " \t\r\n"); len(trimmed) > 0 && trimmed[0] == '[' {
		refuse(w, http.StatusBadRequest, apperr.CodeBatchingNotSupported, "send one operation per request, not a JSON array")
		return
	}
	ctx := context.WithValue(r.Context(), bodyKey{}, ops)
	next.ServeHTTP(w, r.WithContext(context.WithValue(ctx, uploadsKey{}, up)))
}

// readMultipart reads the parts in the specification's order. Its error
// is the client's fault, said in words a client can act on; status is
// 413 when a bound was passed.
func readMultipart(r *http.Request) ([]byte, *uploads, int, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, nil, 0, errors.New("the body is not multipart/form-data with a boundary")
	}
	part, err := mr.NextPart()
	if err != nil {
		return nil, nil, 0, readErr(err, "the first part must be operations")
	}
	if part.FormName() != "operations" {
		return nil, nil, 0, errors.New("the first part must be operations")
	}
	ops, err := io.ReadAll(io.LimitReader(part, MaxBodyBytes+1))
	if err != nil {
		return nil, nil, 0, readErr(err, "operations could not be read")
	}
	if len(ops) > MaxBodyBytes {
		return nil, nil, http.StatusRequestEntityTooLarge, fmt.Errorf("operations is over %d bytes", MaxBodyBytes)
	}
	if part, err = mr.NextPart(); err != nil || part.FormName() != "map" {
		return nil, nil, 0, readErr(err, "the second part must be map")
	}
	raw, err := io.ReadAll(io.LimitReader(part, maxMapBytes+1))
	if err != nil || len(raw) > maxMapBytes {
		return nil, nil, 0, readErr(err, "map is over 64 KiB")
	}
	up := &uploads{paths: map[string][]string{}, files: map[string]uploadFile{}}
	if err := json.Unmarshal(raw, &up.paths); err != nil {
		return nil, nil, 0, errors.New(`map must be a JSON object of lists of paths: {"0": ["variables.file"]}`)
	}
	if len(up.paths) > maxUploadFiles {
		return nil, nil, http.StatusRequestEntityTooLarge, fmt.Errorf("at most %d files", maxUploadFiles)
	}
	var total int64
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, up, 0, readErr(err, "a part could not be read")
		}
		key := part.FormName()
		if _, ok := up.paths[key]; !ok {
			return nil, up, 0, fmt.Errorf("part %q is not in map", key)
		}
		if _, dup := up.files[key]; dup {
			return nil, up, 0, fmt.Errorf("part %q is sent twice", key)
		}
		tmp, err := os.CreateTemp("", "startupgraph-upload-*")
		if err != nil {
			return nil, up, 0, err
		}
		up.files[key] = uploadFile{path: tmp.Name(), name: part.FileName(), contentType: part.Header.Get("Content-Type")}
		n, err := io.Copy(tmp, io.LimitReader(part, MaxUploadBytes-total+1))
		_ = tmp.Close()
		total += n
		if err != nil {
			return nil, up, 0, readErr(err, "file "+key+" could not be read")
		}
		if total > MaxUploadBytes {
			return nil, up, http.StatusRequestEntityTooLarge, fmt.Errorf("the files are over %d bytes", MaxUploadBytes)
		}
		f := up.files[key]
		f.size = n
		up.files[key] = f
	}
	for key := range up.paths {
		if _, ok := up.files[key]; !ok {
			return nil, up, 0, fmt.Errorf("map names file %q, which the request does not carry", key)
		}
	}
	return ops, up, 0, nil
}

// readErr keeps a read deadline's and a size limit's error for the
// caller to answer as such; other errors become msg.
func readErr(err error, msg string) error {
	var tooBig *http.MaxBytesError
	switch {
	case err == nil:
		return errors.New(msg)
	case errors.Is(err, os.ErrDeadlineExceeded):
		return err
	case errors.As(err, &tooBig):
		return fmt.Errorf("the body is over %d bytes", tooBig.Limit)
	}
	return errors.New(msg)
}

// addUploads puts the request's files into its variables at the paths
// its map names (graphql.RawParams.AddUpload, as gqlgen's own transport
// does). Each file is opened for the operation and closed when the
// request ends.
func addUploads(r *http.Request, params *graphql.RawParams) *gqlerror.Error {
	up := uploadsOf(r.Context())
	if up == nil {
		return nil
	}
	for key, paths := range up.paths {
		f := up.files[key]
		for _, path := range paths {
			fh, err := os.Open(f.path)
			if err != nil {
				return badRequest("map", "an uploaded file could not be read back")
			}
			context.AfterFunc(r.Context(), func() { _ = fh.Close() })
			if gerr := params.AddUpload(graphql.Upload{File: fh, Filename: f.name, Size: f.size, ContentType: f.contentType}, key, path); gerr != nil {
				gerr.Extensions = map[string]any{"code": string(apperr.CodeBadRequest), "field": "map"}
				return gerr
			}
		}
	}
	return nil
}
