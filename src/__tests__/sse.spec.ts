import { ReadableStream } from 'stream/web';

import { IServerSentEvent, readEventStream, SseParser } from '../sse';

function collect(chunks: string[]): {
  events: IServerSentEvent[];
  comments: string[];
} {
  const events: IServerSentEvent[] = [];
  const comments: string[] = [];
  const parser = new SseParser(
    e => events.push(e),
    c => comments.push(c)
  );
  chunks.forEach(chunk => parser.feed(chunk));
  parser.end();
  return { events, comments };
}

describe('SseParser', () => {
  it('parses named events and defaults to "message"', () => {
    const { events } = collect([
      'event: job\ndata: {"jobId":"a"}\n\n',
      'data: plain\n\n'
    ]);
    expect(events).toEqual([
      { event: 'job', data: '{"jobId":"a"}' },
      { event: 'message', data: 'plain' }
    ]);
  });

  it('joins multi-line data and strips one leading space only', () => {
    const { events } = collect(['data:  two spaces\ndata:none\ndata\n\n']);
    expect(events[0].data).toBe(' two spaces\nnone\n');
  });

  it('handles any split of the stream, CRLF and CR line endings', () => {
    const text = 'event: log\r\ndata: {"seq":1}\r\n\r\nevent: end\rdata: x\r\r';
    for (let i = 1; i < text.length; i++) {
      const { events } = collect([text.slice(0, i), text.slice(i)]);
      expect(events).toEqual([
        { event: 'log', data: '{"seq":1}' },
        { event: 'end', data: 'x' }
      ]);
    }
    // One character at a time, the worst case for CRLF handling.
    expect(collect(text.split('')).events).toHaveLength(2);
  });

  it('reports comments (pings) and ignores unknown fields', () => {
    const { events, comments } = collect([': ping\n\nfoo: bar\ndata: 1\n\n']);
    expect(comments).toEqual(['ping']);
    expect(events).toEqual([{ event: 'message', data: '1' }]);
  });

  it('keeps the last id and passes retry hints', () => {
    const { events } = collect([
      'id: 7\nretry: 3000\ndata: a\n\n',
      'data: b\n\n',
      'retry: soon\ndata: c\n\n'
    ]);
    expect(events).toEqual([
      { event: 'message', data: 'a', id: '7', retry: 3000 },
      { event: 'message', data: 'b', id: '7' },
      { event: 'message', data: 'c', id: '7' }
    ]);
  });

  it('drops an event without data and an unterminated one', () => {
    const { events } = collect(['event: nothing\n\n', 'data: cut off']);
    expect(events).toEqual([]);
  });
});

describe('readEventStream', () => {
  it('decodes a streamed body, including split multi-byte characters', async () => {
    const bytes = new TextEncoder().encode(
      'event: log\ndata: 湖 ✓\n\n: ping\n\n'
    );
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        // Split inside the three-byte character.
        controller.enqueue(bytes.slice(0, 19));
        controller.enqueue(bytes.slice(19));
        controller.close();
      }
    });
    const events: IServerSentEvent[] = [];
    let chunks = 0;
    await readEventStream(new Response(stream as any), e => events.push(e), {
      onChunk: () => chunks++
    });
    expect(events).toEqual([{ event: 'log', data: '湖 ✓' }]);
    expect(chunks).toBe(2);
  });
});
