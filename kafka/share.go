package kafka

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	codementor "github.com/codementor/codementor"
)

// ShareGroupConfigs are the group configs every share group of the slow work
// gets before it first consumes. A new share group starts at the end of its
// topic: jobs written before its first member joined (a burst queued while
// no judge ran) would never be delivered.
var ShareGroupConfigs = map[string]string{"share.auto.offset.reset": "earliest"}

// EnsureShareGroups sets ShareGroupConfigs on every share group
// (codementor.ShareGroups). Setting them again is harmless, so every process
// that runs a share consumer does it before it starts one.
func EnsureShareGroups(ctx context.Context, brokers []string, log *slog.Logger) error {
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ClientID("codementor-admin"))
	if err != nil {
		return fmt.Errorf("connect to Kafka at %v: %w", brokers, err)
	}
	defer cl.Close()
	req := kmsg.NewPtrIncrementalAlterConfigsRequest()
	for _, g := range codementor.ShareGroups {
		res := kmsg.NewIncrementalAlterConfigsRequestResource()
		res.ResourceType = kmsg.ConfigResourceTypeGroupConfig
		res.ResourceName = string(g)
		for k, v := range ShareGroupConfigs {
			c := kmsg.NewIncrementalAlterConfigsRequestResourceConfig()
			c.Name, c.Value, c.Op = k, kmsg.StringPtr(v), kmsg.IncrementalAlterConfigOpSet
			res.Configs = append(res.Configs, c)
		}
		req.Resources = append(req.Resources, res)
	}
	for {
		err := alterConfigs(ctx, cl, req)
		if err == nil {
			log.Info("share groups configured", "groups", codementor.ShareGroups, "config", ShareGroupConfigs)
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("configure the share groups %v: %w (last error: %w)", codementor.ShareGroups, ctx.Err(), err)
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func alterConfigs(ctx context.Context, cl *kgo.Client, req *kmsg.IncrementalAlterConfigsRequest) error {
	rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	resp, err := req.RequestWith(rctx, cl)
	if err != nil {
		return err
	}
	for _, r := range resp.Resources {
		if err := kerr.ErrorForCode(r.ErrorCode); err != nil {
			msg := ""
			if r.ErrorMessage != nil {
				msg = ": " + *r.ErrorMessage
			}
			return fmt.Errorf("group %s: %w%s", r.ResourceName, err, msg)
		}
	}
	return nil
}
