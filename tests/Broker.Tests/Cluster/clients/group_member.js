// A kafkajs member of a consumer group for the replication fault tests, until stdin yields a line or
// closes. It commits each batch's offsets before taking the next, retrying commits that failed with a
// retriable error (as an application must), and prints JSON lines: {"assigned": [p...]},
// {"p","o"} per record, {"committed": {p: offset}}, {"commitRetry": name}, {"crash": message}.
// Usage: node group_member.js --bootstrap B --topic T --group G   (kafkajs through NODE_PATH)
'use strict'

const { Kafka, PartitionAssigners, logLevel } = require('kafkajs')

const args = {}
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1]

const emit = obj => process.stdout.write(JSON.stringify(obj) + '\n')
// The protocol name librdkafka uses for the same assignor: a mixed group needs one.
const roundRobin = config => ({ ...PartitionAssigners.roundRobin(config), name: 'roundrobin' })
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms))

async function commit(consumer, partition, offset, heartbeat) {
  const deadline = Date.now() + 60000
  for (;;) {
    try {
      await consumer.commitOffsets([{ topic: args.topic, partition, offset: String(offset) }])
      emit({ committed: { [partition]: offset } })
      return
    } catch (error) {
      // A rebalance error means the partition moved: its new owner starts from the last commit.
      if (['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID'].includes(error.type)) throw error
      if (!error.retriable || Date.now() > deadline) throw error
      emit({ commitRetry: error.type ?? error.name })
      await sleep(200)
      await heartbeat().catch(() => {})
    }
  }
}

async function main() {
  const kafka = new Kafka({ clientId: 'replication-kafkajs', brokers: args.bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 10 } })
  const consumer = kafka.consumer({
    groupId: args.group, sessionTimeout: 6000, heartbeatInterval: 1000, partitionAssigners: [roundRobin], maxWaitTimeInMs: 100,
  })
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) =>
    emit({ assigned: (payload.memberAssignment[args.topic] ?? []).sort((a, b) => a - b) }))
  consumer.on(consumer.events.CRASH, ({ payload }) => emit({ crash: String(payload.error && payload.error.message), restart: payload.restart }))
  await consumer.connect()
  await consumer.subscribe({ topics: [args.topic], fromBeginning: true })
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
      if (batch.messages.length === 0) return
      for (const message of batch.messages) {
        emit({ p: batch.partition, o: Number(message.offset) })
        resolveOffset(message.offset)
      }
      await commit(consumer, batch.partition, Number(batch.messages[batch.messages.length - 1].offset) + 1, heartbeat)
    },
  })
  await new Promise(resolve => { process.stdin.once('data', resolve).once('end', resolve).resume() })
  await consumer.disconnect()
  emit({ left: true })
}

main().then(() => process.exit(0), error => {
  console.error(error && error.stack ? error.stack : error)
  process.exit(1)
})
