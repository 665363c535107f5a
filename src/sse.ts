/**
 * A small parser for the text/event-stream format.
 *
 * We read the stream through `ServerConnection.makeRequest` rather than
 * `EventSource` because only the former carries Jupyter's token and XSRF
 * headers, so the framing is parsed here.
 */

/** One dispatched server-sent event. */
export interface IServerSentEvent {
  /** The `event:` field, "message" when absent. */
  event: string;
  /** The `data:` lines joined by newlines. */
  data: string;
  /** The last `id:` seen on the stream, if any. */
  id?: string;
  /** A `retry:` hint in milliseconds, if given with this event. */
  retry?: number;
}

/**
 * Incremental parser: feed it decoded text chunks in any split, and it calls
 * `onEvent` for every complete event. Comments (`: ping`) go to `onComment`.
 */
export class SseParser {
  /**
   * Create a parser.
   * @param onEvent called for each complete event
   * @param onComment called for each comment line, without the colon
   */
  constructor(
    private readonly onEvent: (event: IServerSentEvent) => void,
    private readonly onComment?: (text: string) => void
  ) {}

  /** Feed the next chunk of decoded text. */
  feed(chunk: string): void {
    let buffer = this._buffer + chunk;
    // A CR at the very end may be the first half of a CRLF split across chunks.
    let start = 0;
    for (;;) {
      const cr = buffer.indexOf('\r', start);
      const lf = buffer.indexOf('\n', start);
      let end: number;
      let next: number;
      if (cr === -1 && lf === -1) {
        break;
      }
      if (cr !== -1 && (lf === -1 || cr < lf)) {
        if (cr === buffer.length - 1) {
          break;
        }
        end = cr;
        next = buffer[cr + 1] === '\n' ? cr + 2 : cr + 1;
      } else {
        end = lf;
        next = lf + 1;
      }
      this._line(buffer.slice(start, end));
      start = next;
    }
    buffer = buffer.slice(start);
    this._buffer = buffer;
  }

  /**
   * Signal the end of the stream. An event not followed by a blank line is
   * dropped, as the specification requires.
   */
  end(): void {
    if (this._buffer.endsWith('\r')) {
      this._line(this._buffer.slice(0, -1));
    }
    this._buffer = '';
    this._reset();
  }

  private _line(line: string): void {
    if (line === '') {
      this._dispatch();
      return;
    }
    if (line.startsWith(':')) {
      this.onComment?.(line.slice(1).replace(/^ /, ''));
      return;
    }
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) {
      value = value.slice(1);
    }
    switch (field) {
      case 'event':
        this._event = value;
        break;
      case 'data':
        this._data.push(value);
        break;
      case 'id':
        if (!value.includes('\0')) {
          this._lastId = value;
        }
        break;
      case 'retry':
        if (/^\d+$/.test(value)) {
          this._retry = parseInt(value, 10);
        }
        break;
      default:
        // Unknown fields are ignored by the specification.
        break;
    }
  }

  private _dispatch(): void {
    if (this._data.length === 0) {
      this._reset();
      return;
    }
    const event: IServerSentEvent = {
      event: this._event || 'message',
      data: this._data.join('\n')
    };
    if (this._lastId !== undefined) {
      event.id = this._lastId;
    }
    if (this._retry !== undefined) {
      event.retry = this._retry;
    }
    this._reset();
    this.onEvent(event);
  }

  private _reset(): void {
    this._event = '';
    this._data = [];
    this._retry = undefined;
  }

  private _buffer = '';
  private _event = '';
  private _data: string[] = [];
  private _lastId: string | undefined = undefined;
  private _retry: number | undefined = undefined;
}

/**
 * Read an event-stream response body to its end, calling `onEvent` per event.
 * Resolves when the server closes the stream; rejects on network errors or
 * when `signal` aborts.
 */
export async function readEventStream(
  response: Response,
  onEvent: (event: IServerSentEvent) => void,
  options: { onComment?: (text: string) => void; onChunk?: () => void } = {}
): Promise<void> {
  if (!response.body) {
    throw new Error('The response has no body to stream.');
  }
  const parser = new SseParser(onEvent, options.onComment);
  const decoder = new TextDecoder('utf-8');
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        break;
      }
      options.onChunk?.();
      parser.feed(decoder.decode(value, { stream: true }));
    }
    parser.feed(decoder.decode());
    parser.end();
  } finally {
    reader.releaseLock();
  }
}
