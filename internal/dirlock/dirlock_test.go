package dirlock

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestSecondHolderWaitsThenGivesUp(t *testing.T) {
	dir := t.TempDir()
	first, err := Acquire(context.Background(), dir, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Acquire(context.Background(), dir, 200*time.Millisecond)
	var busy *BusyError
	if !errors.As(err, &busy) || busy.Dir != dir {
		t.Fatalf("second Acquire = %v, want a BusyError naming %s", err, dir)
	}
	if err := first.Release(); err != nil {
		t.Fatal(err)
	}
	second, err := Acquire(context.Background(), dir, time.Second)
	if err != nil {
		t.Fatalf("Acquire after Release: %v", err)
	}
	second.Release()
	fi, err := os.Stat(filepath.Join(dir, FileName))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("lock file: %v, mode %v; want 0600", err, fi.Mode().Perm())
	}
}

func TestWaiterGetsTheLockWhenReleased(t *testing.T) {
	dir := t.TempDir()
	first, err := Acquire(context.Background(), dir, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 1)
	go func() {
		l, err := Acquire(context.Background(), dir, time.Minute)
		if err == nil {
			l.Release()
		}
		got <- err
	}()
	first.Release()
	if err := <-got; err != nil {
		t.Fatalf("waiter: %v", err)
	}
}

func TestCancelledContextIsNotBusy(t *testing.T) {
	dir := t.TempDir()
	first, err := Acquire(context.Background(), dir, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Release()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Acquire(ctx, dir, time.Minute); !errors.Is(err, context.Canceled) {
		t.Fatalf("Acquire with a cancelled context = %v, want context.Canceled", err)
	}
}

func TestPlantedLockFileIsRefused(t *testing.T) {
	for name, plant := range map[string]func(string) error{
		"symlink":   func(p string) error { return os.Symlink("/dev/null", p) },
		"directory": func(p string) error { return os.Mkdir(p, 0o700) },
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := plant(filepath.Join(dir, FileName)); err != nil {
				t.Fatal(err)
			}
			if l, err := Acquire(context.Background(), dir, time.Second); err == nil {
				l.Release()
				t.Fatal("Acquire followed a planted lock file")
			}
		})
	}
}
