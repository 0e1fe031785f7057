// kafkajs as the end-to-end tests drive it: records in as JSON lines on stdin, what the library
// reported out as JSON lines on stdout. kafkajs is resolved through NODE_PATH (tests/clients/node_modules).
'use strict'

const readline = require('readline')
const { spawnSync } = require('child_process')
const { Kafka, CompressionTypes, CompressionCodecs, Partitioners, PartitionAssigners, logLevel } = require('kafkajs')
const SnappyCodec = require('kafkajs-snappy')

// kafkajs ships gzip only; the others are plug-ins. snappy comes from the kafkajs-snappy package.
// The lz4 and zstd plug-in packages need native builds, so the reference lz4 and zstd tools do the
// codec work (LZ4 frame format, zstd frames) while kafkajs still builds, frames and parses the batches.
CompressionCodecs[CompressionTypes.Snappy] = SnappyCodec
CompressionCodecs[CompressionTypes.LZ4] = toolCodec('lz4')
CompressionCodecs[CompressionTypes.ZSTD] = toolCodec('zstd')

function toolCodec(tool) {
  return () => ({
    compress: async encoder => runTool(tool, ['-q', '-c'], encoder.buffer),
    decompress: async buffer => runTool(tool, ['-q', '-d', '-c'], buffer),
  })
}

function runTool(tool, args, input) {
  const result = spawnSync(tool, args, { input, maxBuffer: 1 << 30 })
  if (result.status !== 0) throw new Error(`${tool} ${args.join(' ')} failed: ${result.stderr}`)
  return result.stdout
}

function parseArgs(argv) {
  const args = { command: argv[0], codec: 'none', acks: -1, each: false, idempotent: false }
  for (let i = 1; i < argv.length; i++) {
    const name = argv[i].replace(/^--/, '')
    if (name === 'each' || name === 'idempotent') args[name] = true
    else args[name] = argv[++i]
  }
  return args
}

const codecs = {
  none: CompressionTypes.None, gzip: CompressionTypes.GZIP, snappy: CompressionTypes.Snappy,
  lz4: CompressionTypes.LZ4, zstd: CompressionTypes.ZSTD,
}

function emit(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n')
}

async function readRecords() {
  const records = []
  for await (const line of readline.createInterface({ input: process.stdin })) {
    if (line.trim()) records.push(JSON.parse(line))
  }
  return records
}

function toMessage(record) {
  const message = { key: record.key, value: record.value }
  if (record.headers) {
    // kafkajs models headers as an object; a repeated key becomes an array of values.
    message.headers = {}
    for (const [k, v] of record.headers) {
      if (k in message.headers) message.headers[k] = [].concat(message.headers[k], v)
      else message.headers[k] = v
    }
  }
  if (record.timestamp != null) message.timestamp = String(record.timestamp)
  if (record.partition != null) message.partition = record.partition
  return message
}

function client(args) {
  return new Kafka({ clientId: 'e2e-kafkajs', brokers: [args.bootstrap], logLevel: logLevel.WARN, retry: { retries: 3 } })
}

async function produce(args) {
  if (!(args.codec in codecs)) throw new Error(`codec ${args.codec} is not built into kafkajs`)
  // The Java-compatible murmur2 partitioner, named explicitly so kafkajs does not warn about the default.
  const kafka = client(args)
  // kafkajs keeps an idempotent producer's order only with one request in flight.
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: true,
    idempotent: args.idempotent, ...(args.idempotent ? { maxInFlightRequests: 1 } : {}),
  })
  await producer.connect()
  const records = await readRecords()
  const send = messages => producer.send({
    topic: args.topic, acks: Number(args.acks), compression: codecs[args.codec], messages: messages.map(toMessage),
  })
  if (args.each) {
    // One request per record: the metadata kafkajs returns then names each record's partition and offset.
    for (const [index, record] of records.entries()) {
      const [result] = await send([record])
      emit({ index, partition: result.partition, offset: Number(result.baseOffset), key: record.key, value: record.value })
    }
  } else {
    // One request for all: records sharing a partition get consecutive offsets from its base offset.
    const results = await send(records)
    const next = new Map(results.map(r => [r.partition, Number(r.baseOffset)]))
    const partitionOf = await partitionerAsSent(kafka, args.topic, results)
    for (const [index, record] of records.entries()) {
      const partition = record.partition ?? partitionOf(record)
      const offset = next.get(partition)
      next.set(partition, offset + 1)
      emit({ index, partition, offset, key: record.key, value: record.value })
    }
  }
  await producer.disconnect()
}

// The answer names partitions, not records. With one partition in it the mapping is trivial; else
// keyed records are hashed again with the partitioner kafkajs used (unkeyed ones go round-robin
// from a random start and cannot be traced).
async function partitionerAsSent(kafka, topic, results) {
  if (results.length === 1) return () => results[0].partition
  const admin = kafka.admin()
  await admin.connect()
  const { topics: [{ partitions: partitionMetadata }] } = await admin.fetchTopicMetadata({ topics: [topic] })
  await admin.disconnect()
  const hash = Partitioners.DefaultPartitioner()
  return record => {
    if (record.key == null) throw new Error('an unkeyed record in a multi-partition request cannot be traced to its partition')
    return hash({ topic, partitionMetadata, message: toMessage(record) })
  }
}

// Reads everything from the beginning to the current end of every partition with the group
// consumer (consumer.run) under a group of its own, as an application would.
async function consume(args) {
  const kafka = client(args)
  const admin = kafka.admin()
  await admin.connect()
  const ends = await admin.fetchTopicOffsets(args.topic)
  await admin.disconnect()
  const remaining = new Map(ends.filter(e => Number(e.high) > Number(e.low)).map(e => [e.partition, Number(e.high)]))
  const consumer = kafka.consumer({ groupId: `e2e-consume-${process.pid}-${Date.now()}`, maxWaitTimeInMs: 100 })
  await consumer.connect()
  await consumer.subscribe({ topics: [args.topic], fromBeginning: true })
  const done = new Promise((resolve, reject) => {
    if (remaining.size === 0) resolve()
    setTimeout(() => reject(new Error(`partitions ${[...remaining.keys()]} did not reach their end`)), Number(args.timeout ?? 30) * 1000)
    consumer.run({
      eachMessage: async ({ partition, message }) => {
        const end = remaining.get(partition)
        if (end === undefined || Number(message.offset) >= end) return
        emit(toRecord(partition, message))
        if (Number(message.offset) + 1 >= end) remaining.delete(partition)
        if (remaining.size === 0) resolve()
      },
    }).catch(reject)
  })
  try {
    await done
  } finally {
    await consumer.disconnect()
  }
}

function toRecord(partition, message) {
  return {
    partition,
    offset: Number(message.offset),
    key: message.key == null ? null : message.key.toString(),
    value: message.value == null ? null : message.value.toString(),
    headers: Object.entries(message.headers ?? {}).flatMap(([k, v]) =>
      (Array.isArray(v) ? v : [v]).map(x => [k, x == null ? null : x.toString()])),
    timestamp: Number(message.timestamp),
  }
}

// Java's and librdkafka's "roundrobin" assignor is kafkajs's round robin under the common name: a
// mixed group needs one protocol every member offers.
const roundRobin = config => ({ ...PartitionAssigners.roundRobin(config), name: 'roundrobin' })

// One member of a consumer group until stdin closes: prints its assignments and every record,
// committing each record's offset before taking the next, then leaves the group.
async function groupConsume(args) {
  const consumer = client(args).consumer({
    groupId: args.group,
    sessionTimeout: Number(args['session-timeout'] ?? 10000),
    heartbeatInterval: Number(args['heartbeat-interval'] ?? 1000),
    partitionAssigners: [roundRobin],
    maxWaitTimeInMs: 100,
  })
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) =>
    emit({ event: 'assigned', memberId: payload.memberId, partitions: (payload.memberAssignment[args.topic] ?? []).sort((a, b) => a - b) }))
  await consumer.connect()
  await consumer.subscribe({ topics: [args.topic], fromBeginning: true })
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ topic, partition, message }) => {
      emit(toRecord(partition, message))
      await consumer.commitOffsets([{ topic, partition, offset: String(Number(message.offset) + 1) }])
    },
  })
  await new Promise(resolve => process.stdin.on('end', resolve).resume())
  await consumer.disconnect()
  emit({ event: 'left' })
}

async function offsetsByTimestamp(args) {
  const admin = client(args).admin()
  await admin.connect()
  for (const { partition, offset } of await admin.fetchTopicOffsetsByTimestamp(args.topic, Number(args.timestamp))) {
    emit({ partition, offset: Number(offset) })
  }
  await admin.disconnect()
}

const commands = { produce, consume, 'group-consume': groupConsume, 'offsets-by-timestamp': offsetsByTimestamp }
const args = parseArgs(process.argv.slice(2))
commands[args.command](args).then(
  () => process.exit(0),
  error => {
    console.error(error && error.stack ? error.stack : error)
    process.exit(1)
  })
