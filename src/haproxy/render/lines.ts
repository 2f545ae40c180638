/** Configuration text being built, with the model item each line came from (`Rendered.lineSources`). */
import type { SourceRef } from '../../model/types.js';

export class Lines {
  /** Lines, or blocks of lines already joined (see `appendBlock`): the config is `text.join('\n')`. */
  readonly text: string[] = [];
  /** One entry per config line, blocks included. */
  readonly sources: (SourceRef | undefined)[] = [];
  add(line: string, source?: SourceRef): void {
    this.text.push(line);
    this.sources.push(source);
  }
  /** Adds a block made once (`Block`) as one string: thousands of backends join faster that way. */
  appendBlock(block: Block): void {
    this.text.push(block.text);
    for (const source of block.sources) this.sources.push(source);
  }
  appendLines(other: Lines): void {
    for (const text of other.text) this.text.push(text);
    for (const source of other.sources) this.sources.push(source);
  }
}

/** Lines joined once, with the source of each line. */
export interface Block {
  text: string;
  sources: readonly (SourceRef | undefined)[];
}
