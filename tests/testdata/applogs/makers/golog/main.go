// Writes go-log.log (the log package, LstdFlags|Lmicroseconds|Lshortfile) and go-slog.log
// (log/slog's text handler with AddSource), the layouts tests/e2e/app_formats_test.cc reads.
// Run from tests/testdata/applogs: go run ./makers/golog
package main

import (
	"errors"
	"log"
	"log/slog"
	"os"
)

func main() {
	plain, err := os.Create("go-log.log")
	if err != nil {
		panic(err)
	}
	defer plain.Close()
	std := log.New(plain, "", log.LstdFlags|log.Lmicroseconds|log.Lshortfile)
	std.Printf("listening on :%d", 8080)
	std.Printf("connection reset by peer")
	std.Print("shutting down")

	structured, err := os.Create("go-slog.log")
	if err != nil {
		panic(err)
	}
	defer structured.Close()
	logger := slog.New(slog.NewTextHandler(structured, &slog.HandlerOptions{AddSource: true, Level: slog.LevelDebug}))
	logger.Info("request served", "method", "GET", "path", "/api/orders", "status", 200, "duration_ms", 12.5)
	logger.Debug("cache hit", "key", "orders:42")
	logger.Warn("slow query", slog.Group("db", "host", "db-1", "ms", 812))
	logger.Error("query failed: \"orders\"\ttimeout", "err", errors.New("context deadline exceeded"))
	logger.Log(nil, slog.LevelInfo+2, "between info and warn")
}
