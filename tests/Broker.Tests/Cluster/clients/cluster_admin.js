// kafkajs admin for the cluster tests: create (retrying while there is no controller), describe, and
// partition reassignments (reassign --replicas 1,2 / list-reassignments).
const { Kafka, logLevel } = require('kafkajs')

function parse (argv) {
  const args = { command: argv[0], partitions: 1, rf: 1 }
  for (let i = 1; i < argv.length; i += 2) args[argv[i].replace(/^--/, '')] = argv[i + 1]
  return args
}

async function main () {
  const args = parse(process.argv.slice(2))
  const kafka = new Kafka({ clientId: 'cluster-test', brokers: [args.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 20, initialRetryTime: 100 } })
  const admin = kafka.admin()
  await admin.connect()
  try {
    if (args.command === 'create') {
      const start = Date.now()
      const created = await admin.createTopics({
        waitForLeaders: false,
        topics: [{ topic: args.topic, numPartitions: Number(args.partitions), replicationFactor: Number(args.rf) }]
      })
      console.log(JSON.stringify({ created: args.topic, new: created, ms: Date.now() - start }))
    } else if (args.command === 'describe') {
      const { topics: [{ partitions }] } = await admin.fetchTopicMetadata({ topics: [args.topic] })
      for (const p of partitions.sort((a, b) => a.partitionId - b.partitionId)) {
        console.log(JSON.stringify({ partition: p.partitionId, leader: p.leader, replicas: p.replicas, isr: [...p.isr].sort((a, b) => a - b) }))
      }
    } else if (args.command === 'reassign') {
      await admin.alterPartitionReassignments({
        topics: [{ topic: args.topic, partitionAssignment: [{ partition: Number(args.partition), replicas: args.replicas.split(',').map(Number) }] }]
      })
      console.log(JSON.stringify({ reassigned: args.topic, partition: Number(args.partition) }))
    } else if (args.command === 'list-reassignments') {
      const { topics } = await admin.listPartitionReassignments(args.topic ? { topics: [{ topic: args.topic, partitions: [0, 1, 2, 3, 4, 5, 6, 7] }] } : {})
      for (const t of topics) {
        for (const p of t.partitions) {
          console.log(JSON.stringify({ topic: t.name, partition: p.partition, replicas: p.replicas, adding: p.addingReplicas, removing: p.removingReplicas }))
        }
      }
    } else {
      throw new Error(`unknown command ${args.command}`)
    }
  } finally {
    await admin.disconnect()
  }
}

main().catch(e => { console.error(e.stack || String(e)); process.exit(2) })
