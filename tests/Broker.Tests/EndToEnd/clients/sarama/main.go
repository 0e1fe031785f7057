// Sarama as the end-to-end tests drive it, with the command line the Python and Node scripts share:
// produce (JSON lines in, delivery reports out), consume (every partition from the beginning to its
// end), plus group (a consumer group reads --count records and commits) and admin (create a topic,
// then list topics). --version is the Kafka version Sarama is told the broker speaks
// (sarama.Config.Version), which decides the request versions it sends.
// Built with Debian's golang-github-shopify-sarama-dev: GO111MODULE=off GOPATH=/usr/share/gocode.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"sync"
	"time"

	"github.com/Shopify/sarama"
)

type inRecord struct {
	Key       *string      `json:"key"`
	Value     *string      `json:"value"`
	Headers   [][2]*string `json:"headers"`
	Timestamp *int64       `json:"timestamp"`
	Partition *int32       `json:"partition"`
}

type consumed struct {
	Partition int32        `json:"partition"`
	Offset    int64        `json:"offset"`
	Key       *string      `json:"key"`
	Value     *string      `json:"value"`
	Headers   [][2]*string `json:"headers"`
	Timestamp int64        `json:"timestamp"`
}

var codecs = map[string]sarama.CompressionCodec{
	"none": sarama.CompressionNone, "gzip": sarama.CompressionGZIP, "snappy": sarama.CompressionSnappy,
	"lz4": sarama.CompressionLZ4, "zstd": sarama.CompressionZSTD,
}

func main() {
	if len(os.Args) < 2 {
		log.Fatal("usage: sarama-client produce|consume|group|admin --bootstrap host:port --topic name [options]")
	}
	command := os.Args[1]
	flags := flag.NewFlagSet(command, flag.ExitOnError)
	bootstrap := flags.String("bootstrap", "", "broker address")
	topic := flags.String("topic", "", "topic")
	codec := flags.String("codec", "none", "none, gzip, snappy, lz4 or zstd")
	version := flags.String("version", sarama.MaxVersion.String(), "Kafka version Sarama assumes")
	group := flags.String("group", "", "consumer group (group)")
	count := flags.Int("count", 0, "records to read (group)")
	partitions := flags.Int("partitions", 1, "partitions (admin)")
	flags.Parse(os.Args[2:])

	config := sarama.NewConfig()
	config.ClientID = "e2e-sarama"
	parsed, err := sarama.ParseKafkaVersion(*version)
	check(err)
	config.Version = parsed
	sarama.Logger = log.New(os.Stderr, "[sarama] ", log.LstdFlags)
	brokers := []string{*bootstrap}

	switch command {
	case "produce":
		c, ok := codecs[*codec]
		if !ok {
			log.Fatalf("unknown codec %s", *codec)
		}
		produce(brokers, config, *topic, c)
	case "consume":
		consume(brokers, config, *topic)
	case "group":
		consumeGroup(brokers, config, *topic, *group, *count)
	case "admin":
		admin(brokers, config, *topic, *partitions)
	default:
		log.Fatalf("unknown command %s", command)
	}
}

func produce(brokers []string, config *sarama.Config, topic string, codec sarama.CompressionCodec) {
	var records []inRecord
	scanner := bufio.NewScanner(os.Stdin)
	scanner.Buffer(make([]byte, 1<<20), 1<<26)
	for scanner.Scan() {
		if len(scanner.Bytes()) == 0 {
			continue
		}
		var r inRecord
		check(json.Unmarshal(scanner.Bytes(), &r))
		records = append(records, r)
	}
	check(scanner.Err())

	config.Producer.Compression = codec
	config.Producer.RequiredAcks = sarama.WaitForAll
	config.Producer.Return.Successes = true
	// One batch per partition: all records are handed over at once and flushed together.
	config.Producer.Flush.Messages = len(records)
	config.Producer.Flush.Frequency = 200 * time.Millisecond
	config.Producer.Partitioner = sarama.NewHashPartitioner
	manual := false
	for _, r := range records {
		manual = manual || r.Partition != nil
	}
	if manual {
		config.Producer.Partitioner = sarama.NewManualPartitioner
	}
	producer, err := sarama.NewSyncProducer(brokers, config)
	check(err)
	defer producer.Close()

	messages := make([]*sarama.ProducerMessage, len(records))
	for i, r := range records {
		m := &sarama.ProducerMessage{Topic: topic, Metadata: i}
		if r.Key != nil {
			m.Key = sarama.StringEncoder(*r.Key)
		}
		if r.Value != nil {
			m.Value = sarama.StringEncoder(*r.Value)
		}
		for _, h := range r.Headers {
			header := sarama.RecordHeader{Key: []byte(*h[0])}
			if h[1] != nil {
				header.Value = []byte(*h[1])
			}
			m.Headers = append(m.Headers, header)
		}
		if r.Timestamp != nil {
			m.Timestamp = time.Unix(0, *r.Timestamp*int64(time.Millisecond))
		}
		if r.Partition != nil {
			m.Partition = *r.Partition
		}
		messages[i] = m
	}
	check(producer.SendMessages(messages))
	for i, m := range messages {
		emit(map[string]interface{}{
			"index": i, "partition": m.Partition, "offset": m.Offset,
			"key": records[i].Key, "value": records[i].Value, "error": nil,
		})
	}
}

func consume(brokers []string, config *sarama.Config, topic string) {
	client, err := sarama.NewClient(brokers, config)
	check(err)
	defer client.Close()
	consumer, err := sarama.NewConsumerFromClient(client)
	check(err)
	defer consumer.Close()
	ids, err := client.Partitions(topic)
	check(err)
	for _, p := range ids {
		end, err := client.GetOffset(topic, p, sarama.OffsetNewest)
		check(err)
		if end == 0 {
			continue
		}
		pc, err := consumer.ConsumePartition(topic, p, sarama.OffsetOldest)
		check(err)
		for m := range pc.Messages() {
			emit(toConsumed(m))
			if m.Offset+1 >= end {
				break
			}
		}
		pc.Close()
	}
}

// handler reads until count records arrived across all claims, marking each so it is committed.
type handler struct {
	mu    sync.Mutex
	left  int
	done  chan struct{}
	close sync.Once
}

func (h *handler) Setup(sarama.ConsumerGroupSession) error   { return nil }
func (h *handler) Cleanup(sarama.ConsumerGroupSession) error { return nil }
func (h *handler) ConsumeClaim(session sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	for m := range claim.Messages() {
		h.mu.Lock()
		if h.left > 0 {
			emit(toConsumed(m))
			session.MarkMessage(m, "")
			h.left--
			if h.left == 0 {
				h.close.Do(func() { close(h.done) })
			}
		}
		h.mu.Unlock()
	}
	return nil
}

func consumeGroup(brokers []string, config *sarama.Config, topic, groupID string, count int) {
	config.Consumer.Offsets.Initial = sarama.OffsetOldest
	config.Consumer.Return.Errors = true
	group, err := sarama.NewConsumerGroup(brokers, groupID, config)
	check(err)
	go func() {
		for err := range group.Errors() {
			log.Printf("group error: %v", err)
		}
	}()
	h := &handler{left: count, done: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for ctx.Err() == nil {
			if err := group.Consume(ctx, []string{topic}, h); err != nil {
				log.Printf("consume: %v", err)
				time.Sleep(100 * time.Millisecond)
			}
		}
	}()
	select {
	case <-h.done:
	case <-time.After(60 * time.Second):
		log.Fatalf("timed out with %d records left", h.left)
	}
	cancel()
	// Closing the group commits what was marked.
	check(group.Close())
}

func admin(brokers []string, config *sarama.Config, topic string, partitions int) {
	cluster, err := sarama.NewClusterAdmin(brokers, config)
	check(err)
	defer cluster.Close()
	check(cluster.CreateTopic(topic, &sarama.TopicDetail{NumPartitions: int32(partitions), ReplicationFactor: 1}, false))
	topics, err := cluster.ListTopics()
	check(err)
	for name, detail := range topics {
		emit(map[string]interface{}{"topic": name, "partitions": detail.NumPartitions})
	}
}

func toConsumed(m *sarama.ConsumerMessage) consumed {
	c := consumed{Partition: m.Partition, Offset: m.Offset, Timestamp: m.Timestamp.UnixNano() / int64(time.Millisecond), Headers: [][2]*string{}}
	if m.Key != nil {
		k := string(m.Key)
		c.Key = &k
	}
	if m.Value != nil {
		v := string(m.Value)
		c.Value = &v
	}
	for _, h := range m.Headers {
		k := string(h.Key)
		var v *string
		if h.Value != nil {
			s := string(h.Value)
			v = &s
		}
		c.Headers = append(c.Headers, [2]*string{&k, v})
	}
	return c
}

func emit(v interface{}) {
	b, err := json.Marshal(v)
	check(err)
	fmt.Println(string(b))
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
