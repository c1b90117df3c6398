// Writes the model card JSON Schema (generated from the zod schema) for the Python exporter.
// Run: npx tsx scripts/export-card-schema.ts [--out FILE]   (--out: elsewhere, for scripts/check-generated.mjs)
import { writeFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { z } from 'zod'
import { ModelCardSchema } from '../src/shared/domain/model-card'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const schema = z.toJSONSchema(ModelCardSchema, { target: 'draft-2020-12' })
const outFlag = process.argv.indexOf('--out')
const out = outFlag > 0 ? resolve(process.argv[outFlag + 1]!) : resolve(root, 'models/model_card.schema.json')
writeFileSync(out, `${JSON.stringify(schema, null, 2)}\n`)
console.log(`wrote ${out}`)
