package deadletter

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	codementor "github.com/codementor/codementor"
)

const usage = `usage: codementor dlq list   [--brokers B] [--json]
       codementor dlq replay [--brokers B] (--all | --only TOPIC/PARTITION/OFFSET,...)

list    shows every message a processor could not read, with the reason
replay  sends dead letters back to their topics (after the cause is fixed);
        one that still cannot be read comes back to the dead-letter topic

--brokers defaults to $CODEMENTOR_BROKERS, else 127.0.0.1:9092.
`

// Main is the `codementor dlq` command. It returns the exit status.
func Main(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 || (args[0] != "list" && args[0] != "replay") {
		fmt.Fprint(stderr, usage)
		return 2
	}
	fs := flag.NewFlagSet("codementor dlq "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	defBrokers := getenv("CODEMENTOR_BROKERS")
	if defBrokers == "" {
		defBrokers = "127.0.0.1:9092"
	}
	brokers := fs.String("brokers", defBrokers, "comma-separated Kafka bootstrap brokers")
	asJSON := fs.Bool("json", false, "list: one JSON object per dead letter")
	all := fs.Bool("all", false, "replay: every dead letter")
	only := fs.String("only", "", "replay: the dead letters at these TOPIC/PARTITION/OFFSET, comma-separated")
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	letters, err := List(ctx, strings.Split(*brokers, ","))
	if err != nil {
		fmt.Fprintf(stderr, "codementor dlq: %v\n", err)
		return 1
	}
	switch args[0] {
	case "list":
		if err := write(stdout, letters, *asJSON); err != nil {
			fmt.Fprintf(stderr, "codementor dlq: %v\n", err)
			return 1
		}
		return 0
	default:
		picked, err := pick(letters, *all, *only)
		if err != nil {
			fmt.Fprintf(stderr, "codementor dlq replay: %v\n", err)
			return 2
		}
		log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
		if err := Replay(ctx, strings.Split(*brokers, ","), picked, log); err != nil {
			fmt.Fprintf(stderr, "codementor dlq replay: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "replayed %d dead letters\n", len(picked))
		return 0
	}
}

// Source names where a dead letter came from: TOPIC/PARTITION/OFFSET.
func Source(dl codementor.DeadLetter) string {
	return fmt.Sprintf("%s/%d/%d", dl.Topic, dl.Partition, dl.Offset)
}

func write(w io.Writer, letters []codementor.DeadLetter, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		for _, dl := range letters {
			if err := enc.Encode(dl); err != nil {
				return err
			}
		}
		return nil
	}
	if len(letters) == 0 {
		_, err := fmt.Fprintln(w, "no dead letters")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "AT\tGROUP\tSOURCE\tKEY\tREASON\tVALUE")
	for _, dl := range letters {
		value := string(dl.Value)
		if len(value) > 60 {
			value = value[:60] + "…"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", dl.At.Format(time.RFC3339), dl.Group, Source(dl), dl.Key, dl.Reason, strconv.Quote(value))
	}
	return tw.Flush()
}

func pick(letters []codementor.DeadLetter, all bool, only string) ([]codementor.DeadLetter, error) {
	if all == (only != "") {
		return nil, errors.New("say which: --all, or --only TOPIC/PARTITION/OFFSET,...")
	}
	if all {
		return letters, nil
	}
	bySource := map[string]codementor.DeadLetter{}
	for _, dl := range letters {
		bySource[Source(dl)] = dl
	}
	var out []codementor.DeadLetter
	for _, s := range strings.Split(only, ",") {
		dl, ok := bySource[strings.TrimSpace(s)]
		if !ok {
			return nil, fmt.Errorf("no dead letter came from %q (codementor dlq list shows them)", s)
		}
		out = append(out, dl)
	}
	return out, nil
}
