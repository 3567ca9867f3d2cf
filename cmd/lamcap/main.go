// Command lamcap computes the exact storage capacity of linear associative
// memories and sets it beside the statistical-physics theory. Run `lamcap --help`.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/spf13/pflag"

	"github.com/lamcap/lamcap/internal/atomicfile"
	"github.com/lamcap/lamcap/internal/linalg"
)

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var commands []command

func register(c command) { commands = append(commands, c) }

// usageError marks bad input: reported in one line with exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

// asUsage marks an error in the user's input as a usage error (nil stays nil).
func asUsage(err error) error {
	if err == nil {
		return nil
	}
	return usageError{err.Error()}
}

const topUsage = `lamcap: exact storage capacity of linear associative memories.

A memory W (d x d) stores p pairs (x_mu, y_mu) when y_mu^T W x_mu > c^T W x_mu for
every competitor c of every mu. lamcap decides this exactly (a linear program with
certified answers), finds per-instance critical sizes and capacities with error bars,
and compares them with finite-size theory.

Usage:
  lamcap <command> [flags]

Commands:
%s
Run 'lamcap help <command>' (or 'lamcap <command> --help') for a command's flags.
`

func usage(w io.Writer) {
	var b strings.Builder
	cs := append([]command(nil), commands...)
	sort.Slice(cs, func(i, j int) bool { return cs[i].name < cs[j].name })
	for _, c := range cs {
		fmt.Fprintf(&b, "  %-15s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, topUsage, b.String())
}

func main() {
	// On a CPU its OpenBLAS does not know, start again with the kernels the
	// CPU supports (linalg.CoreFix: 3.7 times the factorisation speed on an
	// Emerald Rapids Xeon); if that exec fails, go on with the kernels loaded.
	_ = linalg.ReexecForCore()
	ctx, stop := signalContext()
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// signalContext returns a context cancelled by the first Ctrl-C or SIGTERM,
// which lamcap answers by stopping cleanly (a sweep writes its checkpoints).
// Once it is cancelled the default handling is restored, so a second Ctrl-C
// or SIGTERM kills the process at once, even one stuck in a blocking system
// call: signal.NotifyContext alone would swallow every later signal.
func signalContext() (context.Context, context.CancelFunc) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop()
		if interruptHook != nil {
			interruptHook()
		}
	}()
	return ctx, stop
}

// interruptHook, when set, is called once the first signal has cancelled the
// context and the default handling is back: tests send the second one then.
var interruptHook func()

// resumable are the commands that keep finished work in a directory, so that
// running them again resumes; the others keep nothing when interrupted (they
// said "finished work is saved" all the same).
var resumable = map[string]bool{"sweep": true, "capacity": true, "validate": true, "vocab-study": true}

// run executes one command line and returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	switch {
	case len(args) == 0:
		usage(stderr)
		return 2
	case args[0] == "--help" || args[0] == "-h" || args[0] == "help" && (len(args) == 1 || len(args) == 2 && args[1] == "help"):
		usage(stdout)
		return 0
	case args[0] == "--version":
		args = []string{"version"}
	case args[0] == "help":
		if len(args) > 2 {
			fmt.Fprintf(stderr, "lamcap help: name one command (run 'lamcap help')\n")
			return 2
		}
		args = []string{args[1], "--help"}
	}
	for _, c := range commands {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, args[1:], stdout, stderr)
		switch {
		case err == nil:
			return 0
		case errors.Is(err, pflag.ErrHelp):
			return 0
		case errors.As(err, new(usageError)):
			fmt.Fprintf(stderr, "lamcap %s: %v (run 'lamcap help %s')\n", c.name, oneLine(err), c.name)
			return 2
		case errors.Is(err, context.Canceled) && resumable[c.name]:
			fmt.Fprintf(stderr, "lamcap %s: interrupted; finished work is saved\n", c.name)
			return 130
		case errors.Is(err, context.Canceled):
			fmt.Fprintf(stderr, "lamcap %s: interrupted; it keeps nothing to resume from (what it printed is complete)\n", c.name)
			return 130
		default:
			fmt.Fprintf(stderr, "lamcap %s: error: %v\n", c.name, oneLine(err))
			return 1
		}
	}
	fmt.Fprintf(stderr, "lamcap: unknown command %q (run 'lamcap help')\n", args[0])
	return 2
}

func oneLine(err error) string { return strings.ReplaceAll(err.Error(), "\n", "; ") }

// interruptible runs f, a library call that takes no context (theory's Monte
// Carlo, the learning-rule study), and returns its error, or ctx's error as
// soon as ctx is done (Ctrl-C, SIGTERM). The abandoned call ends with the
// process, which exits when the command returns: f must only compute, never
// print, so nothing is written after the command has returned.
func interruptible(ctx context.Context, f func() error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- f() }()
	if computeHook != nil {
		computeHook()
	}
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// computeHook, when set, is called once an interruptible call has started:
// tests signal a child process at that point.
var computeHook func()

// checkOutput refuses, before anything is computed, an output path that
// holds something other than a regular file: a directory, a symbolic link, a
// named pipe or a device is not replaced (package atomicfile refuses it again
// when the file is written). "-" (stdout) is for the callers that offer it.
func checkOutput(flag, path string) error {
	if path == "" {
		return usagef("%s: give a file name", flag)
	}
	if err := atomicfile.CheckTarget(path); err != nil {
		return usagef("%s: %v", flag, err)
	}
	return nil
}

// checkOutDir refuses an empty output directory name (it used to fail later,
// as a run-time error, or write into the working folder).
func checkOutDir(flag, dir string) error {
	if dir == "" {
		return usagef("%s: give a directory", flag)
	}
	return nil
}

// flagSet is a pflag set with the synopsis its --help prints.
type flagSet struct {
	*pflag.FlagSet
	name, synopsis string
}

// newFlags makes a flag set whose errors come back as usage errors.
func newFlags(name, synopsis string) *flagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SortFlags = false
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return &flagSet{fs, name, synopsis}
}

// parse parses flags; a bad flag becomes a usage error, --help prints the usage
// on stdout and returns pflag.ErrHelp.
func (fs *flagSet) parse(args []string, stdout io.Writer) error {
	err := fs.Parse(args)
	if errors.Is(err, pflag.ErrHelp) {
		fmt.Fprintf(stdout, "Usage: lamcap %s\n\n%s\n\nFlags:\n%s", fs.name, fs.synopsis, fs.FlagUsages())
		return err
	}
	if err != nil {
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	return nil
}

func errHelp() error { return pflag.ErrHelp }

// parseArgs is parse for commands that take arguments after their flags.
func (fs *flagSet) parseArgs(args []string, stdout io.Writer) error {
	err := fs.parse(args, stdout)
	if ue, ok := err.(usageError); ok && fs.NArg() > 0 && strings.HasPrefix(ue.msg, "unexpected argument") {
		return nil
	}
	return err
}
