// kafkajs's admin client as the admin tests drive it: one subcommand per call, one JSON line per
// result, errors reported by kafkajs's own type names (OFFSET_OUT_OF_RANGE, ...).
const { Kafka, logLevel, ConfigResourceTypes } = require('kafkajs')

const args = process.argv.slice(2)
const command = args[0]
const option = name => {
  const i = args.indexOf(name)
  return i < 0 ? undefined : args[i + 1]
}
const emit = obj => process.stdout.write(JSON.stringify(obj) + '\n')

// A protocol error, possibly wrapped by kafkajs's retrier, as its type name.
const errorOf = e => {
  const inner = e.cause || e.originalError || e
  return { error: inner.type || inner.name, message: inner.message }
}

const main = async () => {
  const kafka = new Kafka({ clientId: 'admin-tests', brokers: [option('--bootstrap')], logLevel: logLevel.NOTHING, retry: { retries: 2 } })
  const admin = kafka.admin()
  await admin.connect()
  try {
    const topic = option('--topic')
    switch (command) {
      case 'offsets':
        for (const p of await admin.fetchTopicOffsets(topic))
          emit({ partition: p.partition, low: Number(p.low), high: Number(p.high) })
        break
      case 'delete-records':
        try {
          // kafkajs looks the leaders up before it loads the topic's metadata; load it first.
          await admin.fetchTopicMetadata({ topics: [topic] })
          await admin.deleteTopicRecords({ topic, partitions: [{ partition: Number(option('--partition')), offset: option('--offset') }] })
          emit({ error: null })
        } catch (e) {
          const inner = e.cause || e.originalError || e
          if (inner.partitions)
            for (const p of inner.partitions) emit({ partition: p.partition, error: p.error && p.error.type })
          else emit(errorOf(e))
        }
        break
      case 'describe-cluster':
        emit(await admin.describeCluster())
        break
      case 'describe-configs': {
        const result = await admin.describeConfigs({
          includeSynonyms: true,
          resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }],
        })
        for (const entry of result.resources[0].configEntries)
          emit({ name: entry.configName, value: entry.configValue, source: entry.configSource, isDefault: entry.isDefault, readOnly: entry.readOnly })
        break
      }
      case 'alter-configs':
        try {
          const [name, value] = option('--set').split('=')
          await admin.alterConfigs({
            validateOnly: args.includes('--validate-only'),
            resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries: [{ name, value }] }],
          })
          emit({ error: null })
        } catch (e) {
          emit(errorOf(e))
        }
        break
      case 'create-partitions':
        try {
          await admin.createPartitions({ topicPartitions: [{ topic, count: Number(option('--count')) }] })
          emit({ error: null })
        } catch (e) {
          emit(errorOf(e))
        }
        break
      case 'delete-topic':
        try {
          await admin.deleteTopics({ topics: [topic], timeout: 10000 })
          emit({ error: null })
        } catch (e) {
          emit(errorOf(e))
        }
        break
      case 'create-topic':
        try {
          await admin.createTopics({
            waitForLeaders: false,
            topics: [{ topic, numPartitions: Number(option('--partitions')), replicationFactor: Number(option('--replication-factor')) }],
          })
          emit({ error: null })
        } catch (e) {
          emit(errorOf(e))
        }
        break
      case 'topic-metadata': {
        const { topics } = await admin.fetchTopicMetadata({ topics: [topic] })
        for (const p of topics[0].partitions.sort((a, b) => a.partitionId - b.partitionId))
          emit({ partition: p.partitionId, leader: p.leader, replicas: p.replicas, isr: p.isr })
        break
      }
      default:
        throw new Error(`unknown command ${command}`)
    }
  } finally {
    await admin.disconnect()
  }
}

main().catch(e => {
  console.error(e)
  process.exit(1)
})
