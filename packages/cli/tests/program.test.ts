import { describe, expect, it } from 'vitest';
import { commandFilesFor, createProgram } from '../src/program.ts';

const ALL = commandFilesFor(undefined);
const names = (files: readonly string[]) => files.map((file) => file.replace(/\.ts$/, ''));

describe('createProgram', () => {
  it('loads only the file of the command named first, and that file registers exactly that command', async () => {
    expect(ALL.length).toBeGreaterThan(1);
    for (const name of names(ALL)) {
      // Act
      const program = await createProgram([name, '--help']);
      // Assess: the file is the command, so loading it alone loses nothing of it
      expect(commandFilesFor(name)).toEqual([`${name}.ts`]);
      expect(program.commands.map((command) => command.name())).toEqual([name]);
    }
  });

  it('loads every file for no command, help, an option or an unknown command, and each file is a command', async () => {
    for (const first of [undefined, '--help', '-h', 'vaul', 'help', '../commands/vault', 'vault.ts']) {
      expect(commandFilesFor(first)).toEqual(ALL);
    }
    // Act
    const program = await createProgram([]);
    // Assess
    expect(program.commands.map((command) => command.name()).sort()).toEqual(names(ALL));
  });
});
