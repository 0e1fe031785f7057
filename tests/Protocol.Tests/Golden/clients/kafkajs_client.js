// Drives kafkajs against the recording fake broker. NODE_PATH must reach tests/clients/node_modules.
//
// produce: sends the records given as JSON on stdin in one send() call.
// consume: joins a group, prints each record it receives as one JSON line, stops after --count.
// Exits non-zero with the reason on stderr when anything does not go as expected.
'use strict'
const { Kafka, CompressionTypes, logLevel } = require('kafkajs')

function parseArgs(argv) {
  const args = { mode: argv[0], clientId: 'golden-kafkajs', group: 'golden-kafkajs-group', count: 0, timeout: 30 }
  for (let i = 1; i < argv.length; i += 2) {
    const name = argv[i].replace(/^--/, '').replace(/-([a-z])/g, (_, c) => c.toUpperCase())
    args[name] = argv[i + 1]
  }
  args.count = Number(args.count)
  args.timeout = Number(args.timeout)
  return args
}

function readStdin() {
  return new Promise((resolve, reject) => {
    let data = ''
    process.stdin.setEncoding('utf8')
    process.stdin.on('data', chunk => { data += chunk })
    process.stdin.on('end', () => resolve(data))
    process.stdin.on('error', reject)
  })
}

const text = b => (b === null || b === undefined ? null : b.toString('utf8'))

async function produce(kafka, args) {
  const records = JSON.parse(await readStdin())
  const producer = kafka.producer({ allowAutoTopicCreation: true })
  await producer.connect()
  await producer.send({
    topic: args.topic,
    acks: -1,
    compression: args.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None,
    messages: records.map(r => ({
      key: r.key,
      value: r.value,
      headers: Object.fromEntries(r.headers),
    })),
  })
  await producer.disconnect()
}

async function consume(kafka, args) {
  const consumer = kafka.consumer({
    groupId: args.group, maxWaitTimeInMs: 100, maxBytes: 5000000, maxBytesPerPartition: 300000,
  })
  await consumer.connect()
  await consumer.subscribe({ topic: args.topic, fromBeginning: true })
  let received = 0
  let done
  const finished = new Promise(resolve => { done = resolve })
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ message }) => {
      const headers = Object.entries(message.headers || {}).map(([k, v]) => [k, text(v)])
      process.stdout.write(JSON.stringify({
        key: text(message.key), value: text(message.value), headers,
        offset: Number(message.offset), timestamp: Number(message.timestamp),
      }) + '\n')
      if (++received === args.count) done()
    },
  })
  const timer = setTimeout(() => done(new Error(`only ${received} of ${args.count} records within ${args.timeout}s`)), args.timeout * 1000)
  const error = await finished
  clearTimeout(timer)
  await consumer.disconnect()
  if (error) throw error
}

async function main() {
  const args = parseArgs(process.argv.slice(2))
  const kafka = new Kafka({
    clientId: args.clientId,
    brokers: [args.bootstrap],
    logLevel: logLevel.ERROR,
    retry: { retries: 2 },
  })
  if (args.mode === 'produce') await produce(kafka, args)
  else if (args.mode === 'consume') await consume(kafka, args)
  else throw new Error(`unknown mode ${args.mode}`)
}

main().catch(e => {
  process.stderr.write(`${e.stack || e}\n`)
  process.exit(1)
})
