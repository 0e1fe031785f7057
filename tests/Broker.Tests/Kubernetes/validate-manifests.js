// Validates every object of a rendered kustomization (YAML on stdin) against the Kubernetes
// OpenAPI schemas bundled in the npm package kubernetes-models. Prints one line per object;
// exits 1 when any object is invalid or of a kind the package does not know.
const YAML = require('yaml');

let input = '';
process.stdin.on('data', chunk => { input += chunk; });
process.stdin.on('end', () => {
  let failed = false;
  for (const doc of YAML.parseAllDocuments(input)) {
    if (doc.errors.length > 0) { console.log(`yaml error: ${doc.errors[0].message}`); failed = true; continue; }
    const object = doc.toJSON();
    if (!object) continue;
    const name = `${object.kind}/${object.metadata && object.metadata.name}`;
    try {
      const models = require(`kubernetes-models/${object.apiVersion}`);
      const Model = models[object.kind];
      if (!Model) throw new Error(`unknown kind ${object.kind} in ${object.apiVersion}`);
      new Model(object).validate();
      console.log(`valid ${name}`);
    } catch (e) {
      console.log(`invalid ${name}: ${e.message}`);
      failed = true;
    }
  }
  process.exit(failed ? 1 : 0);
});
