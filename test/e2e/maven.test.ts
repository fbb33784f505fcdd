import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import type { RunResult } from '../support/exec';
import { Mvn, writeJavaProject } from '../support/maven-projects';
import { startHarness, type Harness } from './support/registry';

let h: Harness;
const repo = 'acme/jvm';
const base = () => `${h.url}/${repo}/maven`;

beforeAll(async () => {
  h = await startHarness();
  expect((await h.api.createRepo(repo)).status).toBe(201);
});
afterAll(async () => h?.close());

const hex = (algo: string, b: Uint8Array) => createHash(algo).update(b).digest('hex');
const get = async (path: string, headers: Record<string, string> = {}) => {
  const res = await fetch(`${base()}/${path}`, { headers });
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()), headers: res.headers };
};
const put = async (path: string, body: Uint8Array | string, token: string | undefined = h.admin, r = repo) => {
  const res = await fetch(`${h.url}/${r}/maven/${path}`, { method: 'PUT', body, headers: token ? { authorization: 'Basic ' + Buffer.from(`ci:${token}`).toString('base64') } : {} });
  const text = await res.text();
  await h.registry.idle();
  return { status: res.status, text, headers: res.headers };
};
const output = (r: { stdout: string; stderr: string }) => `${r.stdout}\n${r.stderr}`;
/** mvn -q prints nothing on success; on failure the assertion shows what it said. */
const succeeded = (r: RunResult) => expect([r.code, output(r)]).toEqual([0, expect.any(String)]);

const greeter = (version: string) => ({
  className: 'Greeter',
  code: `package demo; public class Greeter { public static String greet() { return "hello ${version}"; } }\n`,
});

describe('mvn deploy and resolution against a public repository', () => {
  let mvn: Mvn;
  let lib: string;
  /** The second SNAPSHOT build's jar, which resolution must pick. */
  let snapshotJar: Buffer;

  beforeAll(async () => {
    mvn = await Mvn.create(join(h.tmp, 'mvn'), base(), h.admin);
    lib = await writeJavaProject(join(h.tmp, 'lib'), { groupId: 'com.acme', artifactId: 'greeter', version: '1.0.0', source: greeter('1.0.0'), sources: true }, base());
  });

  it('deploys a release: jar, pom, sources, javadoc and test jars, each with all four checksums; metadata lists it', async () => {
    const r = await mvn.run(['-DskipTests', 'deploy'], lib);
    succeeded(r);
    await h.registry.idle();
    const jar = await fsp.readFile(join(lib, 'target/greeter-1.0.0.jar'));
    const served = await get('com/acme/greeter/1.0.0/greeter-1.0.0.jar');
    expect(served.status).toBe(200);
    expect(hex('sha256', served.body)).toBe(hex('sha256', jar));
    for (const algo of ['md5', 'sha1', 'sha256', 'sha512']) {
      expect((await get(`com/acme/greeter/1.0.0/greeter-1.0.0.jar.${algo}`)).body.toString()).toBe(hex(algo, jar));
    }
    expect((await get('com/acme/greeter/1.0.0/greeter-1.0.0-tests.jar')).status).toBe(200);
    const sources = await get('com/acme/greeter/1.0.0/greeter-1.0.0-sources.jar');
    expect(sources.status).toBe(200);
    expect((await get('com/acme/greeter/1.0.0/greeter-1.0.0-sources.jar.sha512')).body.toString()).toBe(hex('sha512', sources.body));
    // The javadoc jar of the same release, attached afterwards with deploy-file (no javadoc tool here).
    const javadoc = join(h.tmp, 'greeter-1.0.0-javadoc.jar');
    await fsp.writeFile(javadoc, zipSync({ 'index.html': Buffer.from('<html>Greeter</html>') }));
    const attached = await mvn.run([
      'org.apache.maven.plugins:maven-deploy-plugin:3.0.0:deploy-file', `-Dfile=${javadoc}`, '-DgroupId=com.acme', '-DartifactId=greeter', '-Dversion=1.0.0',
      '-Dclassifier=javadoc', '-Dpackaging=jar', '-DgeneratePom=false', '-DrepositoryId=packyard', `-Durl=${base()}`,
    ]);
    succeeded(attached);
    await h.registry.idle();
    expect((await get('com/acme/greeter/1.0.0/greeter-1.0.0-javadoc.jar')).body).toEqual(await fsp.readFile(javadoc));
    expect((await get('com/acme/greeter/1.0.0/greeter-1.0.0.pom')).body.toString()).toContain('<artifactId>greeter</artifactId>');
    const meta = await get('com/acme/greeter/maven-metadata.xml');
    expect(meta.body.toString()).toMatch(/<latest>1\.0\.0<\/latest>\s*<release>1\.0\.0<\/release>\s*<versions>\s*<version>1\.0\.0<\/version>\s*<\/versions>\s*<lastUpdated>\d{14}<\/lastUpdated>/);
    expect((await get('com/acme/greeter/maven-metadata.xml.sha1')).body.toString()).toBe(hex('sha1', meta.body));
  });

  it('refuses to redeploy a release with different bytes (409) and leaves it as it was', async () => {
    const before = await h.snapshot(repo);
    await fsp.writeFile(join(lib, 'src/main/java/demo/Greeter.java'), greeter('1.0.0-changed').code);
    const r = await mvn.run(['-DskipTests', 'deploy'], lib);
    expect(r.code).not.toBe(0);
    expect(output(r)).toMatch(/409/);
    expect(output(r)).toMatch(/Conflict/);
    expect(await h.snapshot(repo)).toEqual(before);
  });

  it('mvn deploy-file of a jar (alone) that is not a zip fails with 400 Bad Request and changes nothing', async () => {
    const before = await h.snapshot(repo);
    const broken = join(h.tmp, 'broken.jar');
    await fsp.writeFile(broken, 'this is not a zip archive');
    const r = await mvn.run([
      'org.apache.maven.plugins:maven-deploy-plugin:3.0.0:deploy-file', `-Dfile=${broken}`, '-DgroupId=com.acme', '-DartifactId=broken', '-Dversion=1.0',
      '-Dpackaging=jar', '-DgeneratePom=false', '-DrepositoryId=packyard', `-Durl=${base()}`,
    ]);
    expect(r.code).not.toBe(0);
    expect(output(r)).toMatch(/400/);
    expect(output(r)).toMatch(/Bad Request/);
    await h.registry.idle();
    expect(await h.snapshot(repo)).toEqual(before);
  });

  it('deploys a SNAPSHOT twice: timestamped files and a buildNumber that increments', async () => {
    const snap = await writeJavaProject(join(h.tmp, 'snap'), { groupId: 'com.acme', artifactId: 'greeter', version: '1.1.0-SNAPSHOT', source: greeter('1.1.0-SNAPSHOT a') }, base());
    succeeded(await mvn.run(['-DskipTests', 'deploy'], snap));
    await h.registry.idle();
    const first = (await get('com/acme/greeter/1.1.0-SNAPSHOT/maven-metadata.xml')).body.toString();
    expect(first).toMatch(/<buildNumber>1<\/buildNumber>/);
    await fsp.writeFile(join(snap, 'src/main/java/demo/Greeter.java'), greeter('1.1.0-SNAPSHOT b').code);
    succeeded(await mvn.run(['-DskipTests', 'deploy'], snap));
    await h.registry.idle();
    const second = (await get('com/acme/greeter/1.1.0-SNAPSHOT/maven-metadata.xml')).body.toString();
    expect(second).toMatch(/<buildNumber>2<\/buildNumber>/);
    const value = /<extension>jar<\/extension>\s*<value>(1\.1\.0-\d{8}\.\d{6}-2)<\/value>/.exec(second)?.[1];
    expect(value).toBeDefined();
    const served = await get(`com/acme/greeter/1.1.0-SNAPSHOT/greeter-${value}.jar`);
    expect(served.body).toEqual(await fsp.readFile(join(snap, 'target/greeter-1.1.0-SNAPSHOT.jar')));
    snapshotJar = served.body;
    expect(first).not.toContain(value);
    const snapMeta = await get('com/acme/greeter/1.1.0-SNAPSHOT/maven-metadata.xml');
    for (const algo of ['md5', 'sha1', 'sha256', 'sha512']) {
      expect((await get(`com/acme/greeter/1.1.0-SNAPSHOT/maven-metadata.xml.${algo}`)).body.toString()).toBe(hex(algo, snapMeta.body));
      expect((await get(`com/acme/greeter/maven-metadata.xml.${algo}`)).body.toString()).toBe(hex(algo, (await get('com/acme/greeter/maven-metadata.xml')).body));
      expect((await get(`com/acme/greeter/1.1.0-SNAPSHOT/greeter-${value}.pom.${algo}`)).body.toString()).toBe(hex(algo, (await get(`com/acme/greeter/1.1.0-SNAPSHOT/greeter-${value}.pom`)).body));
    }
    const meta = (await get('com/acme/greeter/maven-metadata.xml')).body.toString();
    expect(meta).toMatch(/<latest>1\.1\.0-SNAPSHOT<\/latest>\s*<release>1\.0\.0<\/release>/);
    expect(meta).toMatch(/<version>1\.0\.0<\/version>\s*<version>1\.1\.0-SNAPSHOT<\/version>/);
  });

  it('resolves: dependency:get of the release and the latest SNAPSHOT, and a project that depends on it builds', async () => {
    const consumer = await Mvn.create(join(h.tmp, 'consumer'), base());
    const got = await consumer.run(['org.apache.maven.plugins:maven-dependency-plugin:3.5.0:get', '-Dartifact=com.acme:greeter:1.1.0-SNAPSHOT', '-Dtransitive=false']);
    succeeded(got);
    expect(await fsp.readFile(join(consumer.dir, 'local-repo/com/acme/greeter/1.1.0-SNAPSHOT/greeter-1.1.0-SNAPSHOT.jar'))).toEqual(snapshotJar);
    const app = await writeJavaProject(
      join(h.tmp, 'app'),
      { groupId: 'com.example', artifactId: 'app', version: '1.0', dependencies: ['com.acme:greeter:1.0.0'], source: { className: 'App', code: 'package demo; public class App { public static void main(String[] a) { System.out.println(Greeter.greet()); } }\n' } },
      base(),
    );
    const built = await consumer.run(['-DskipTests', 'package'], app);
    succeeded(built);
    const jar = join(consumer.dir, 'local-repo/com/acme/greeter/1.0.0/greeter-1.0.0.jar');
    expect(hex('sha256', await fsp.readFile(jar))).toBe(hex('sha256', (await get('com/acme/greeter/1.0.0/greeter-1.0.0.jar')).body));
  });
});

describe('a private Maven repository', () => {
  const secret = 'acme/jvm-private';
  const url = () => `${h.url}/${secret}/maven`;

  beforeAll(async () => {
    expect((await h.api.createRepo(secret, 'private')).status).toBe(201);
  });

  it('challenges anonymous reads with 401 + Basic, and mvn deploys and resolves with settings.xml credentials', async () => {
    const token = (await h.api.call<{ token: string }>('POST', '/api/v1/tokens', { name: 'mvn-ci', grants: { [secret]: ['read', 'push'] } })).body.token;
    const mvn = await Mvn.create(join(h.tmp, 'private-mvn'), url(), token);
    const lib = await writeJavaProject(join(h.tmp, 'private-lib'), { groupId: 'com.acme', artifactId: 'secret', version: '2.0', source: greeter('2.0') }, url());
    const deployed = await mvn.run(['-DskipTests', 'deploy'], lib);
    succeeded(deployed);
    await h.registry.idle();

    const anonymous = await fetch(`${url()}/com/acme/secret/2.0/secret-2.0.jar`);
    expect([anonymous.status, anonymous.headers.get('www-authenticate')]).toEqual([401, `Basic realm="${secret}"`]);

    const reader = await Mvn.create(join(h.tmp, 'private-reader'), url(), token);
    const got = await reader.run(['org.apache.maven.plugins:maven-dependency-plugin:3.5.0:get', '-Dartifact=com.acme:secret:2.0', '-Dtransitive=false']);
    succeeded(got);
    const stranger = await Mvn.create(join(h.tmp, 'private-stranger'), url());
    const refused = await stranger.run(['org.apache.maven.plugins:maven-dependency-plugin:3.5.0:get', '-Dartifact=com.acme:secret:2.0', '-Dtransitive=false']);
    expect([refused.code, output(refused)]).toEqual([1, expect.stringMatching(/401|Unauthorized/)]);
  });

  it('refuses deploys without a token (401 + challenge) or without push (403)', async () => {
    const anon = await put('com/acme/secret/3.0/secret-3.0.pom', '<project/>', '', secret);
    expect([anon.status, anon.headers.get('www-authenticate')]).toEqual([401, `Basic realm="${secret}"`]);
    const readOnly = (await h.api.call<{ token: string }>('POST', '/api/v1/tokens', { name: 'mvn-ro', grants: { [secret]: ['read'] } })).body.token;
    expect((await put('com/acme/secret/3.0/secret-3.0.pom', '<project/>', readOnly, secret)).status).toBe(403);
  });
});

describe('bad deploys leave the repository unchanged', () => {
  const pom = (g: string, a: string, v: string) => `<project><modelVersion>4.0.0</modelVersion><groupId>${g}</groupId><artifactId>${a}</artifactId><version>${v}</version></project>`;
  const jar = zipSync({ 'META-INF/MANIFEST.MF': Buffer.from('Manifest-Version: 1.0\n'), 'META-INF/maven/com.acme/bad/pom.properties': Buffer.from('groupId=com.acme\nartifactId=bad\nversion=1.0\n') });

  it.each([
    ['a pom whose coordinates disagree with the path', 'com/acme/bad/1.0/bad-1.0.pom', pom('com.acme', 'other', '1.0'), 400, /MAVEN_POM_MISMATCH/],
    ['a pom of another version', 'com/acme/bad/1.0/bad-1.0.pom', pom('com.acme', 'bad', '2.0'), 400, /MAVEN_POM_MISMATCH/],
    ['a malformed pom', 'com/acme/bad/1.0/bad-1.0.pom', '<project><groupId>', 400, /MAVEN_BAD_POM/],
    ['a pom with a DOCTYPE (entity bombs)', 'com/acme/bad/1.0/bad-1.0.pom', '<!DOCTYPE x [<!ENTITY a "aaaa">]><project/>', 400, /MAVEN_BAD_POM/],
    ['a jar that is not a zip', 'com/acme/bad/1.0/bad-1.0.jar', 'not a zip at all', 400, /MAVEN_BAD_ARCHIVE/],
    ['a truncated jar', 'com/acme/bad/1.0/bad-1.0.jar', Buffer.from(jar).subarray(0, jar.length - 10), 400, /MAVEN_BAD_ARCHIVE/],
    ['a file of another artifact', 'com/acme/bad/1.0/other-1.0.jar', jar, 400, /MAVEN_BAD_PATH/],
    ['a file of another version', 'com/acme/bad/1.0/bad-1.1.jar', jar, 400, /MAVEN_BAD_PATH/],
    ['a path that climbs out', 'com/acme/../../x/1.0/x-1.0.jar', jar, 400, /MAVEN_BAD_PATH/],
    ['an encoded path that climbs out', 'com/acme/..%2F..%2Fx/1.0/x-1.0.jar', jar, 400, /MAVEN_BAD_PATH/],
    ['a path without a version', 'com/bad-1.0.jar', jar, 400, /MAVEN_BAD_PATH/],
    ['a SNAPSHOT file without its timestamp', 'com/acme/bad/1.0-SNAPSHOT/bad-1.0-SNAPSHOT.jar', jar, 400, /MAVEN_BAD_PATH/],
    ['a checksum of a file never deployed', 'com/acme/bad/1.0/bad-1.0.jar.sha1', 'a'.repeat(40), 400, /MAVEN_NO_SUCH_FILE/],
  ])('%s', async (_what, path, body, status, code) => {
    const before = await h.snapshot(repo);
    const res = await put(path, body);
    expect([res.status, res.text]).toEqual([status, expect.stringMatching(code)]);
    expect(await h.snapshot(repo)).toEqual(before);
  });

  it('checks a checksum sidecar against the stored file; the same file again is accepted without change', async () => {
    expect((await put('com/acme/good/1.0/good-1.0.pom', pom('com.acme', 'good', '1.0'))).status).toBe(201);
    const stored = (await get('com/acme/good/1.0/good-1.0.pom')).body;
    const before = await h.snapshot(repo);
    const wrong = await put('com/acme/good/1.0/good-1.0.pom.sha1', 'b'.repeat(40));
    expect([wrong.status, wrong.text]).toEqual([400, expect.stringMatching(/MAVEN_CHECKSUM_MISMATCH/)]);
    expect((await put('com/acme/good/1.0/good-1.0.pom.sha1', `${hex('sha1', stored)}  good-1.0.pom\n`)).status).toBe(201);
    expect((await put('com/acme/good/1.0/good-1.0.pom', pom('com.acme', 'good', '1.0'))).status).toBe(200);
    // The client's own metadata is accepted and ignored: Packyard renders it from the records.
    expect((await put('com/acme/good/maven-metadata.xml', '<metadata><versioning><versions><version>9.9</version></versions></versioning></metadata>')).status).toBe(201);
    expect((await put('com/acme/good/maven-metadata.xml.sha1', 'c'.repeat(40))).status).toBe(201);
    expect(await h.snapshot(repo)).toEqual(before);
    expect((await get('com/acme/good/maven-metadata.xml')).body.toString()).not.toContain('9.9');
    const del = await fetch(`${base()}/com/acme/good/1.0/good-1.0.pom`, { method: 'DELETE', headers: { authorization: `Bearer ${h.admin}` } });
    expect(del.status).toBe(405);
  });
});

describe('the presigned and direct paths take Maven files too', () => {
  it('accepts a pom and a Maven-built jar by their own coordinates, then mvn resolves them', async () => {
    const lib = await writeJavaProject(join(h.tmp, 'pushed'), { groupId: 'org.pushed', artifactId: 'tool', version: '0.3.0', source: greeter('0.3.0') }, base());
    const mvn = await Mvn.create(join(h.tmp, 'pushed-mvn'), base());
    succeeded(await mvn.run(['-DskipTests', 'package'], lib));
    await fsp.copyFile(join(lib, 'pom.xml'), join(lib, 'target/tool.pom'));
    const pomRes = await h.api.pushDirect(repo, 'maven', join(lib, 'target/tool.pom'));
    expect([pomRes.status, pomRes.body]).toEqual([201, expect.objectContaining({ name: 'org.pushed:tool', version: '0.3.0', filename: 'tool-0.3.0.pom' })]);
    const jarRes = await h.api.pushDirect(repo, 'maven', join(lib, 'target/tool-0.3.0.jar'));
    expect([jarRes.status, jarRes.body]).toEqual([201, expect.objectContaining({ name: 'org.pushed:tool', filename: 'tool-0.3.0.jar' })]);
    await h.registry.idle();
    const consumer = await Mvn.create(join(h.tmp, 'pushed-consumer'), base());
    const got = await consumer.run(['org.apache.maven.plugins:maven-dependency-plugin:3.5.0:get', '-Dartifact=org.pushed:tool:0.3.0', '-Dtransitive=false']);
    succeeded(got);
    const resolved = await fsp.readFile(join(consumer.dir, 'local-repo/org/pushed/tool/0.3.0/tool-0.3.0.jar'));
    expect(resolved).toEqual(await fsp.readFile(join(lib, 'target/tool-0.3.0.jar')));
    expect((await get('org/pushed/tool/0.3.0/tool-0.3.0.jar.sha1')).body.toString()).toBe(hex('sha1', resolved));
    expect((await get('org/pushed/tool/maven-metadata.xml')).body.toString()).toMatch(/<release>0\.3\.0<\/release>/);
  });

  it('refuses a jar whose coordinates it cannot tell', async () => {
    const file = join(h.tmp, 'anonymous.jar');
    await fsp.writeFile(file, zipSync({ 'META-INF/MANIFEST.MF': Buffer.from('Manifest-Version: 1.0\n') }));
    const res = await h.api.pushDirect(repo, 'maven', file);
    expect([res.status, JSON.stringify(res.body)]).toEqual([400, expect.stringContaining('MAVEN_BAD_COORDINATES')]);
  });
});
