import { describe, expect, test } from 'vitest';
import { mentionedIds, parsePayload, PayloadError, toMarkdown } from './slack-payload.js';

const names: Record<string, string> = { '01HZX3M2K8Q7V5N4T6R9W0Y1AB': 'alice' };
const md = (raw: unknown) => toMarkdown(parsePayload(raw), (id) => names[id]);

describe('Slack mrkdwn in text', () => {
  test('links, mentions, emphasis and entities become Parley Markdown; code is left as written', () => {
    expect(md({ text: 'Deploy <https://ci.example.com/run/42|run 42> *finished* ~slowly~ _today_' })).toBe('Deploy [run 42](https://ci.example.com/run/42) **finished** ~~slowly~~ _today_');
    expect(md({ text: 'see <https://example.com/a_b*c*>' })).toBe('see <https://example.com/a_b*c*>');
    expect(md({ text: 'ping <@01HZX3M2K8Q7V5N4T6R9W0Y1AB> and <@U024BE7LH|bob>, <!channel> <!here> <#C123|ops>' })).toBe('ping @alice and @bob, @channel @here #ops');
    expect(md({ text: 'a &lt; b &amp;&amp; c &gt; d' })).toBe('a < b && c > d');
    expect(md({ text: 'run `*not bold*` then\n```*still* code```' })).toBe('run `*not bold*` then\n```\n*still* code\n```');
    expect(md({ text: 'at <!date^1392734382^{date}|Feb 18, 2014>' })).toBe('at Feb 18, 2014');
    // A link to anything but the web or mail is shown as its label, never made clickable.
    expect(md({ text: '<javascript:alert(1)|click>' })).toBe('click');
  });

  test('with mrkdwn false the text is shown literally: Markdown characters are escaped', () => {
    expect(md({ text: '*not bold* # not a heading', mrkdwn: false })).toBe('\\*not bold\\* \\# not a heading');
  });

  test('the ids a payload mentions are listed once, for one lookup', () => {
    expect(mentionedIds(parsePayload({ text: '<@A1> <@A1|x>', attachments: [{ text: '<@B2>' }] }))).toEqual(['A1', 'B2']);
  });
});

describe('attachments', () => {
  test('pretext, colour, linked title, text, fields two to a line when short, image, footer and time: all kept, quoted', () => {
    const out = md({
      attachments: [
        {
          fallback: 'Build failed',
          color: 'danger',
          pretext: 'CI report',
          title: 'Build #42 failed',
          title_link: 'https://ci.example.com/42',
          text: 'Step *test* failed',
          fields: [
            { title: 'Branch', value: 'main', short: true },
            { title: 'Commit', value: '`abc123`', short: true },
            { title: 'Log', value: 'tail of the log', short: false },
          ],
          image_url: 'https://ci.example.com/graph.png',
          footer: 'ci-bot',
          ts: 1700000000,
        },
      ],
    });
    expect(out).toBe(
      [
        'CI report',
        '> 🔴 **[Build #42 failed](https://ci.example.com/42)**',
        '> Step **test** failed',
        '> **Branch**: main · **Commit**: `abc123`',
        '> **Log**: tail of the log',
        '> [Build #42 failed](https://ci.example.com/graph.png)',
        '> _ci-bot · 2023-11-14 22:13 UTC_',
      ].join('\n'),
    );
  });

  test('an attachment with nothing but its fallback shows the fallback; a hex colour gets the nearest mark', () => {
    expect(md({ attachments: [{ fallback: 'Only this' }] })).toBe('> Only this');
    expect(md({ attachments: [{ color: '#36a64f', title: 'ok' }] })).toBe('> 🟢 **ok**');
  });
});

describe('blocks', () => {
  test('header, section with fields and a button, divider, context, image become Markdown in order; text is then only the notification', () => {
    const out = md({
      text: 'fallback for notifications',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: 'Release v1.2' } },
        {
          type: 'section',
          text: { type: 'mrkdwn', text: '*Changes* in <https://example.com/cl|the changelog>' },
          fields: [
            { type: 'mrkdwn', text: '*Owner*\nalice' },
            { type: 'plain_text', text: 'Risk: low' },
          ],
          accessory: { type: 'button', text: { type: 'plain_text', text: 'Open' }, url: 'https://example.com/release' },
        },
        { type: 'divider' },
        {
          type: 'context',
          elements: [
            { type: 'mrkdwn', text: 'by *ci*' },
            { type: 'image', image_url: 'https://example.com/i.png', alt_text: 'logo' },
          ],
        },
        { type: 'image', image_url: 'https://example.com/chart.png', alt_text: 'chart' },
      ],
    });
    expect(out).toBe(
      [
        '### Release v1.2',
        '**Changes** in [the changelog](https://example.com/cl)\n**Owner**\nalice\nRisk: low\n[Open](https://example.com/release)',
        '---',
        'by **ci** · [logo](https://example.com/i.png)',
        '[chart](https://example.com/chart.png)',
      ].join('\n\n'),
    );
    expect(out).not.toContain('fallback for notifications');
  });

  test('a block of a kind Parley does not know shows its text, or says it cannot be shown: never dropped silently', () => {
    expect(md({ blocks: [{ type: 'rich_text', elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: 'hello there' }] }] }] })).toBe('hello there');
    expect(md({ blocks: [{ type: 'video', video_url: 'https://example.com/v' }] })).toBe('_(a `video` block this client cannot show)_');
  });
});

describe('bad payloads are refused with the code Slack gives', () => {
  const refusal = (raw: unknown) => {
    try {
      parsePayload(raw);
    } catch (e) {
      if (e instanceof PayloadError) return [e.slack, e.field];
      throw e;
    }
    return null;
  };
  test('nothing to post, wrong types, too many attachments', () => {
    expect(refusal({})).toEqual(['no_text', '/text']);
    expect(refusal({ text: '   ' })).toEqual(['no_text', '/text']);
    expect(refusal({ text: 42 })).toEqual(['invalid_payload', '/text']);
    expect(refusal([])).toEqual(['invalid_payload', undefined]);
    expect(refusal({ attachments: 'x' })).toEqual(['invalid_payload', '/attachments']);
    expect(refusal({ attachments: [{ title: 5 }] })).toEqual(['invalid_payload', '/attachments/0/title']);
    expect(refusal({ attachments: Array.from({ length: 101 }, () => ({ text: 'x' })) })).toEqual(['too_many_attachments', '/attachments']);
    expect(refusal({ blocks: [{ text: 'no type' }] })).toEqual(['invalid_payload', '/blocks/0/type']);
    // Fields Slack allows but Parley does not use are accepted.
    expect(refusal({ text: 'hi', username: 'x', icon_emoji: ':ghost:', channel: '#x' })).toBeNull();
  });
});
