// kafkajs's admin client on consumer groups, one call per invocation, results as JSON lines.
// Usage: kafkajs_group_admin.js <command> --bootstrap host:port [--group g] [--topic t] [--partition p --offset o]
'use strict'

const { Kafka, AssignerProtocol, logLevel } = require('kafkajs')

function parseArgs(argv) {
  const args = { command: argv[0] }
  for (let i = 1; i < argv.length; i += 2) args[argv[i].replace(/^--/, '')] = argv[i + 1]
  return args
}

function emit(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n')
}

const commands = {
  list: async admin => {
    for (const g of (await admin.listGroups()).groups) emit({ group: g.groupId, protocolType: g.protocolType })
  },
  describe: async (admin, args) => {
    for (const g of (await admin.describeGroups([args.group])).groups) {
      emit({
        group: g.groupId, state: g.state, protocol: g.protocol, errorCode: g.errorCode,
        members: g.members.map(m => ({
          clientId: m.clientId,
          partitions: m.memberAssignment.length === 0 ? [] : AssignerProtocol.MemberAssignment.decode(m.memberAssignment).assignment[args.topic] ?? [],
        })),
      })
    }
  },
  offsets: async (admin, args) => {
    for (const t of await admin.fetchOffsets({ groupId: args.group, topics: [args.topic] })) {
      for (const p of t.partitions) emit({ partition: p.partition, offset: Number(p.offset) })
    }
  },
  'set-offset': async (admin, args) => {
    await admin.setOffsets({ groupId: args.group, topic: args.topic, partitions: [{ partition: Number(args.partition), offset: args.offset }] })
    emit({ error: null })
  },
  delete: async (admin, args) => {
    try {
      await admin.deleteGroups([args.group])
      emit({ error: null })
    } catch (e) {
      emit({ error: e.groups ? e.groups.map(g => g.error.type).join(',') : e.message })
    }
  },
}

const args = parseArgs(process.argv.slice(2))
const admin = new Kafka({ clientId: 'e2e-group-admin', brokers: [args.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 2 } }).admin()
admin.connect()
  .then(() => commands[args.command](admin, args))
  .then(() => admin.disconnect())
  .then(() => process.exit(0), error => {
    console.error(error && error.stack ? error.stack : error)
    process.exit(1)
  })
