import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { run, type RunResult } from './exec';

/** Debian's on-disk Maven repository serves the plugins; Maven Central is out of reach (toolchain.md). */
const DEBIAN_REPO = 'file:///usr/share/maven-repo';
const PLUGINS: Record<string, string> = {
  'maven-resources-plugin': '3.3.0',
  'maven-compiler-plugin': '3.10.1',
  'maven-surefire-plugin': '2.22.3',
  'maven-jar-plugin': '3.3.0',
  'maven-install-plugin': '3.1.0',
  'maven-deploy-plugin': '3.0.0',
  'maven-dependency-plugin': '3.5.0',
  'maven-source-plugin': '3.2.1',
};

/**
 * The real mvn, isolated: its own settings.xml and local repository under `dir`; plugins from Debian's file
 * repository; `packyard` (the registry under test) is the only remote and is listed first, with the token
 * as the `<server>` password.
 */
export class Mvn {
  private constructor(readonly dir: string) {}

  static async create(dir: string, registryUrl: string, token?: string): Promise<Mvn> {
    await fsp.mkdir(join(dir, 'local-repo'), { recursive: true });
    const repo = (tag: string) =>
      `<${tag}><id>packyard</id><url>${registryUrl}</url><releases><enabled>true</enabled></releases><snapshots><enabled>true</enabled><updatePolicy>always</updatePolicy></snapshots></${tag}>` +
      `<${tag}><id>central</id><url>${DEBIAN_REPO}</url><releases><checksumPolicy>ignore</checksumPolicy></releases><snapshots><enabled>false</enabled></snapshots></${tag}>`;
    const settings = `<settings>
  <localRepository>${join(dir, 'local-repo')}</localRepository>
  <offline>false</offline>
  <mirrors><mirror><id>debian</id><mirrorOf>*,!packyard,!central</mirrorOf><url>${DEBIAN_REPO}</url></mirror></mirrors>
  ${token ? `<servers><server><id>packyard</id><username>ci</username><password>${token}</password></server></servers>` : ''}
  <profiles><profile><id>offline</id>
    <repositories>${repo('repository')}</repositories>
    <pluginRepositories><pluginRepository><id>central</id><url>${DEBIAN_REPO}</url><releases><checksumPolicy>ignore</checksumPolicy></releases></pluginRepository></pluginRepositories>
  </profile></profiles>
  <activeProfiles><activeProfile>offline</activeProfile></activeProfiles>
</settings>
`;
    await fsp.writeFile(join(dir, 'settings.xml'), settings);
    return new Mvn(dir);
  }

  /** `mvn -B -q`: quiet, so only errors (status and reason of a refused request) are printed. */
  run(args: string[], cwd = this.dir): Promise<RunResult> {
    return run('mvn', ['-B', '-q', '-s', join(this.dir, 'settings.xml'), '-Dmaven.repo.local=' + join(this.dir, 'local-repo'), ...args], {
      cwd,
      env: { ...process.env, MAVEN_OPTS: '-Xmx512m', MAVEN_SKIP_RC: '1' },
      timeoutMs: 180_000,
    });
  }
}

export interface JavaProject {
  groupId: string;
  artifactId: string;
  version: string;
  /** Dependencies as groupId:artifactId:version. */
  dependencies?: string[];
  /** The one class's source, `package demo; public class X {...}`. */
  source: { className: string; code: string };
  sources?: boolean;
}

/** A one-class jar project with the plugin versions Debian ships, deploying to `packyard`. */
export async function writeJavaProject(dir: string, p: JavaProject, registryUrl: string): Promise<string> {
  const plugins = Object.entries(PLUGINS).map(([a, v]) => `<plugin><groupId>org.apache.maven.plugins</groupId><artifactId>${a}</artifactId><version>${v}</version></plugin>`);
  const deps = (p.dependencies ?? []).map((d) => {
    const [g, a, v] = d.split(':');
    return `<dependency><groupId>${g}</groupId><artifactId>${a}</artifactId><version>${v}</version></dependency>`;
  });
  // A sources jar (classifier `sources`) and a test jar (classifier `tests`), as release builds attach them.
  const sourcesPlugin = p.sources
    ? `<plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-source-plugin</artifactId><executions><execution><id>sources</id><phase>package</phase><goals><goal>jar-no-fork</goal></goals></execution></executions></plugin>` +
      `<plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-jar-plugin</artifactId><executions><execution><id>tests</id><phase>package</phase><goals><goal>test-jar</goal></goals></execution></executions></plugin>`
    : '';
  const pom = `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>${p.groupId}</groupId>
  <artifactId>${p.artifactId}</artifactId>
  <version>${p.version}</version>
  <packaging>jar</packaging>
  <properties><maven.compiler.source>17</maven.compiler.source><maven.compiler.target>17</maven.compiler.target><project.build.sourceEncoding>UTF-8</project.build.sourceEncoding></properties>
  <dependencies>${deps.join('')}</dependencies>
  <distributionManagement>
    <repository><id>packyard</id><url>${registryUrl}</url></repository>
    <snapshotRepository><id>packyard</id><url>${registryUrl}</url></snapshotRepository>
  </distributionManagement>
  <build><pluginManagement><plugins>${plugins.join('')}</plugins></pluginManagement><plugins>${sourcesPlugin}</plugins></build>
</project>
`;
  const src = join(dir, 'src/main/java/demo');
  await fsp.mkdir(src, { recursive: true });
  await fsp.writeFile(join(dir, 'pom.xml'), pom);
  await fsp.writeFile(join(src, `${p.source.className}.java`), p.source.code);
  if (p.sources) {
    await fsp.mkdir(join(dir, 'src/test/java/demo'), { recursive: true });
    await fsp.writeFile(join(dir, 'src/test/java/demo/Extra.java'), 'package demo; public class Extra {}\n');
  }
  return dir;
}
