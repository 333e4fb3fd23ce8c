'use strict';
// The sample's chat page: plain DOM and fetch, live updates from /users/{id}/events (Server-Sent Events).
// The sample has no sign-in: the page says who it is in each request, as a real client's token would.

const REACTIONS = ['👍', '❤️', '😂'];
const TYPING_SHOWN_MS = 10_000;   // the typing indicator's TTL: a "started" event holds this long
const TYPING_RESEND_MS = 3_000;   // the indicator publishes at most this often per member anyway
const HEARTBEAT_MS = 20_000;      // presence counts a page online for 60 s after each beat

const $ = (selector) => document.querySelector(selector);
const newId = () => (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(16).slice(2)}`);

const state = {
  me: null,
  deviceId: newId(),
  chats: [],                 // the chat list, as GET /users/{id}/chats returns it
  members: new Map(),        // chatId -> [{ member, user, presence }]
  open: null,                // the open chat's id
  messages: [],              // the open chat's messages, oldest first
  reactions: new Map(),      // messageId -> [{ emoji, count, reactedByViewer }]
  typing: new Map(),         // userId -> timer, for the open chat
  lastTypingSent: 0,
};

// ---------------------------------------------------------------------------
// Talking to the sample
// ---------------------------------------------------------------------------
async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) {
    const problem = await response.json().catch(() => null);
    throw new Error(problem?.detail || problem?.title || `${response.status} ${response.statusText}`);
  }
  return response.status === 204 ? null : response.json();
}

function showError(element, error) {
  element.textContent = error ? error.message : '';
}

// ---------------------------------------------------------------------------
// Who am I: users made in this browser are offered again; each window keeps its own choice
// ---------------------------------------------------------------------------
const knownUsers = () => JSON.parse(localStorage.getItem('chatdata.users') || '[]');

function remember(user) {
  const users = knownUsers().filter((u) => u.id !== user.id);
  users.push({ id: user.id, displayName: user.displayName, username: user.username });
  localStorage.setItem('chatdata.users', JSON.stringify(users));
}

function renderLogin() {
  const list = $('#known-users');
  list.replaceChildren(...knownUsers().map((user) => {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'user-choice';
    button.textContent = `${user.displayName} (@${user.username})`;
    button.onclick = () => signIn(user);
    return button;
  }));
}

$('#create-user').onsubmit = async (event) => {
  event.preventDefault();
  const form = event.target;
  try {
    const user = await api('POST', '/users', { displayName: form.displayName.value.trim(), username: form.username.value.trim() });
    remember(user);
    signIn(user);
  } catch (error) {
    showError($('#login-error'), error);
  }
};

$('#sign-in').onsubmit = async (event) => {
  event.preventDefault();
  try {
    const user = await api('GET', `/users/by-username/${encodeURIComponent(event.target.username.value.trim())}`);
    remember(user);
    signIn(user);
  } catch (error) {
    showError($('#login-error'), error);
  }
};

$('#switch-user').onclick = () => {
  sessionStorage.removeItem('chatdata.me');
  location.reload();
};

function signIn(user) {
  state.me = user;
  sessionStorage.setItem('chatdata.me', JSON.stringify(user));
  $('#login').hidden = true;
  $('#app').hidden = false;
  $('#switch-user').hidden = false;
  $('#live').hidden = false;
  $('#me').textContent = `${user.displayName} (@${user.username})`;
  listen();   // the event stream makes the page online; heartbeats keep it so
  setInterval(heartbeat, HEARTBEAT_MS);
}

// ---------------------------------------------------------------------------
// Live updates and presence
// ---------------------------------------------------------------------------
function listen() {
  const events = new EventSource(`/users/${state.me.id}/events?deviceId=${encodeURIComponent(state.deviceId)}`);
  // "ready" comes on every (re)connection: reload what may have changed while not listening.
  events.addEventListener('ready', () => {
    setLive(true);
    loadChats();
    if (state.open) openChat(state.open);
  });
  events.onmessage = (message) => onEvent(JSON.parse(message.data));
  events.onerror = () => setLive(false);   // EventSource reconnects by itself
}

function setLive(live) {
  document.body.dataset.live = live;
  $('#live').textContent = live ? 'live' : 'reconnecting';
}

function heartbeat() {
  api('POST', `/users/${state.me.id}/presence`, { deviceId: state.deviceId }).catch(() => {});
}

function onEvent(event) {
  const here = event.chatId === state.open;
  switch (event.type) {
    case 'chat':
      loadChats();
      break;
    case 'message':
      if (here) {
        addMessage(event.message);
        if (event.message.senderId !== state.me.id) markRead();
      }
      loadChats();
      break;
    case 'edited':
      if (here) replaceMessage(event.message);
      loadChats();
      break;
    case 'deleted':
      if (here) {
        state.messages = state.messages.filter((m) => m.id !== event.messageId);
        renderMessages();
      }
      loadChats();
      break;
    case 'reaction':
      if (here) loadReactions(event.messageId);
      break;
    case 'read':
      updateMember(event.chatId, event.userId, (view) => { view.member.lastReadSeq = Math.max(view.member.lastReadSeq, event.lastReadSeq); });
      if (event.userId === state.me.id) loadChats();   // read in another window
      if (here) renderMessages();
      break;
    case 'typing':
      if (here && event.userId !== state.me.id) showTyping(event.userId, event.isTyping);
      break;
    case 'presence':
      updateMember(event.chatId, event.userId, (view) => { view.presence.isOnline = event.isOnline; });
      if (here) renderHeader();
      break;
  }
}

function updateMember(chatId, userId, change) {
  const view = state.members.get(chatId)?.find((v) => v.member.userId === userId);
  if (view) change(view);
}

// ---------------------------------------------------------------------------
// Chat list
// ---------------------------------------------------------------------------
$('#new-chat').onsubmit = async (event) => {
  event.preventDefault();
  const form = event.target;
  try {
    const usernames = form.usernames.value.split(',').map((u) => u.trim()).filter(Boolean);
    const others = await Promise.all(usernames.map((u) => api('GET', `/users/by-username/${encodeURIComponent(u)}`)));
    const chat = others.length === 1
      ? await api('POST', '/chats/direct', { userId: state.me.id, otherUserId: others[0].id })
      : await api('POST', '/chats', {
        name: form.name.value.trim() || [state.me, ...others].map((u) => u.displayName).join(', '),
        createdBy: state.me.id,
        memberIds: others.map((u) => u.id),
      });
    form.reset();
    showError($('#new-chat-error'), null);
    await loadChats();
    openChat(chat.id);
  } catch (error) {
    showError($('#new-chat-error'), error.message.includes('404') ? new Error('No user with that username.') : error);
  }
};

async function loadChats() {
  const page = await api('GET', `/users/${state.me.id}/chats?limit=100`);
  await Promise.all(page.items.filter((item) => !state.members.has(item.chat.id)).map((item) => loadMembers(item.chat.id)));
  state.chats = page.items;
  renderChatList();
}

async function loadMembers(chatId) {
  state.members.set(chatId, await api('GET', `/chats/${chatId}/members?viewerId=${state.me.id}`));
}

const others = (chatId) => (state.members.get(chatId) || []).filter((v) => v.member.userId !== state.me.id);

function chatTitle(chat) {
  if (chat.type !== 'direct') return chat.name;
  return others(chat.id)[0]?.user?.displayName ?? 'Direct chat';
}

function renderChatList() {
  $('#chat-list').replaceChildren(...state.chats.map((item) => {
    const li = document.createElement('li');
    li.className = 'chat-item' + (item.chat.id === state.open ? ' active' : '');
    li.dataset.chatId = item.chat.id;
    li.onclick = () => openChat(item.chat.id);

    const title = document.createElement('div');
    title.className = 'chat-item-title';
    title.textContent = chatTitle(item.chat);
    const preview = document.createElement('div');
    preview.className = 'chat-item-preview';
    const last = item.lastMessage;
    preview.textContent = !last ? 'No messages yet' : last.isDeleted ? 'Message deleted' : (last.senderId === state.me.id ? 'You: ' : '') + (last.content ?? '');
    li.append(title, preview);

    if (item.unreadCount > 0) {
      const badge = document.createElement('span');
      badge.className = 'unread';
      badge.textContent = item.unreadCount;
      li.append(badge);
    }
    return li;
  }));
}

// ---------------------------------------------------------------------------
// The open chat
// ---------------------------------------------------------------------------
async function openChat(chatId) {
  if (state.open !== chatId) {
    state.typing.forEach((timer) => clearTimeout(timer));
    state.typing.clear();
  }
  state.open = chatId;
  $('#empty').hidden = true;
  $('#chat').hidden = false;
  const [page] = await Promise.all([
    api('GET', `/chats/${chatId}/messages?viewerId=${state.me.id}&limit=50`),
    loadMembers(chatId),
  ]);
  if (state.open !== chatId) return;   // another chat was opened meanwhile
  state.messages = page.messages;
  state.reactions = new Map();
  // Reactions come grouped by message: a list of lists of summaries.
  for (const summary of page.reactions.flat()) {
    if (!state.reactions.has(summary.messageId)) state.reactions.set(summary.messageId, []);
    state.reactions.get(summary.messageId).push(summary);
  }
  renderHeader();
  renderMessages();
  renderChatList();
  renderTyping();
  markRead();
  $('#text').focus();
}

async function markRead() {
  const last = state.messages.at(-1);
  const item = state.chats.find((c) => c.chat.id === state.open);
  // Nothing to mark when the newest message is our own and the list counts nothing unread.
  if (!last || (last.senderId === state.me.id && item?.unreadCount === 0)) return;
  await api('POST', `/chats/${state.open}/read`, { userId: state.me.id, upToSeq: last.seq });
  loadChats();
}

function renderHeader() {
  const item = state.chats.find((c) => c.chat.id === state.open);
  const views = others(state.open);
  $('#chat-title').textContent = item ? chatTitle(item.chat) : '';
  const online = views.filter((v) => v.presence.isOnline);
  $('#chat-status').textContent = views.length === 1
    ? (online.length ? 'online' : lastSeen(views[0].presence.lastSeen))
    : `${views.length + 1} members, ${online.length + 1} online`;
}

function lastSeen(at) {
  return at ? `last seen ${new Date(at).toLocaleString()}` : 'offline';
}

function addMessage(message) {
  if (state.messages.some((m) => m.id === message.id)) return;   // our own send, echoed back
  state.messages.push(message);
  state.messages.sort((a, b) => a.seq - b.seq);
  renderMessages();
}

function replaceMessage(message) {
  state.messages = state.messages.map((m) => (m.id === message.id ? message : m));
  renderMessages();
}

async function loadReactions(messageId) {
  state.reactions.set(messageId, await api('GET', `/messages/${messageId}/reactions?viewerId=${state.me.id}`));
  renderMessages();
}

/** The highest seq any other member has read: own messages up to it show as read. */
function readByOthersUpTo() {
  return Math.max(0, ...others(state.open).map((v) => v.member.lastReadSeq));
}

function renderMessages() {
  const list = $('#messages');
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  const readUpTo = readByOthersUpTo();
  const names = new Map((state.members.get(state.open) || []).map((v) => [v.member.userId, v.user?.displayName]));
  list.replaceChildren(...state.messages.map((message) => renderMessage(message, readUpTo, names)));
  if (atBottom || state.messages.at(-1)?.senderId === state.me.id) list.scrollTop = list.scrollHeight;
}

function renderMessage(message, readUpTo, names) {
  const mine = message.senderId === state.me.id;
  const li = document.createElement('li');
  li.className = 'message' + (mine ? ' mine' : '');
  li.dataset.messageId = message.id;

  if (!mine && others(state.open).length > 1) {
    const sender = document.createElement('div');
    sender.className = 'sender';
    sender.textContent = names.get(message.senderId) ?? 'Someone';
    li.append(sender);
  }
  const text = document.createElement('div');
  text.className = 'text';
  text.textContent = message.content ?? '';
  li.append(text);

  const meta = document.createElement('div');
  meta.className = 'meta';
  const time = new Date(message.createdAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  meta.textContent = time + (message.editedAt ? ' · edited' : '');
  if (mine) {
    const receipt = document.createElement('span');
    const read = message.seq <= readUpTo;
    receipt.className = 'receipt' + (read ? ' read' : '');
    receipt.textContent = read ? ' · ✓✓ Read' : ' · ✓ Sent';
    meta.append(receipt);
  }
  li.append(meta);

  const reactions = document.createElement('div');
  reactions.className = 'reactions';
  for (const summary of state.reactions.get(message.id) || []) {
    const chip = document.createElement('button');
    chip.type = 'button';
    chip.className = 'reaction' + (summary.reactedByViewer ? ' mine' : '');
    chip.textContent = `${summary.emoji} ${summary.count}`;
    chip.onclick = () => react(message, summary.emoji, summary.reactedByViewer);
    reactions.append(chip);
  }
  li.append(reactions);

  const actions = document.createElement('div');
  actions.className = 'actions';
  for (const emoji of REACTIONS) {
    actions.append(actionButton(emoji, `React ${emoji}`, () => {
      const mineAlready = (state.reactions.get(message.id) || []).some((s) => s.emoji === emoji && s.reactedByViewer);
      react(message, emoji, mineAlready);
    }));
  }
  if (mine) {
    actions.append(actionButton('Edit', 'Edit', () => edit(message)));
    actions.append(actionButton('Delete', 'Delete for everyone', () => remove(message)));
  }
  li.append(actions);
  return li;
}

function actionButton(label, title, onclick) {
  const button = document.createElement('button');
  button.type = 'button';
  button.textContent = label;
  button.title = title;
  button.onclick = onclick;
  return button;
}

async function react(message, emoji, remove) {
  try {
    if (remove) await api('DELETE', `/messages/${message.id}/reactions?userId=${state.me.id}&emoji=${encodeURIComponent(emoji)}`);
    else await api('POST', `/messages/${message.id}/reactions`, { userId: state.me.id, emoji });
  } catch (error) {
    showError($('#send-error'), error);
  }
}

async function edit(message) {
  const content = prompt('Edit message', message.content ?? '');
  if (content === null || content.trim() === '' || content === message.content) return;
  try {
    replaceMessage(await api('PATCH', `/messages/${message.id}`, { editorId: state.me.id, content }));
  } catch (error) {
    showError($('#send-error'), error);
  }
}

async function remove(message) {
  if (!confirm('Delete this message for everyone?')) return;
  try {
    await api('DELETE', `/messages/${message.id}?userId=${state.me.id}`);
  } catch (error) {
    showError($('#send-error'), error);
  }
}

// ---------------------------------------------------------------------------
// Sending and typing
// ---------------------------------------------------------------------------
$('#composer').onsubmit = async (event) => {
  event.preventDefault();
  const input = $('#text');
  const content = input.value.trim();
  if (!content) return;
  // One id per message: if the request is retried, the server returns the first send instead of a duplicate.
  const clientMessageId = newId();
  input.value = '';
  state.lastTypingSent = 0;
  try {
    addMessage(await api('POST', `/chats/${state.open}/messages`, { senderId: state.me.id, content, clientMessageId }));
    showError($('#send-error'), null);
  } catch (error) {
    input.value = content;
    showError($('#send-error'), error);
  }
};

$('#text').oninput = () => {
  const typing = $('#text').value.trim() !== '';
  const now = Date.now();
  if (typing && now - state.lastTypingSent < TYPING_RESEND_MS) return;
  if (!typing && state.lastTypingSent === 0) return;
  state.lastTypingSent = typing ? now : 0;
  api('POST', `/chats/${state.open}/typing`, { userId: state.me.id, isTyping: typing }).catch(() => {});
};

function showTyping(userId, isTyping) {
  clearTimeout(state.typing.get(userId));
  state.typing.delete(userId);
  if (isTyping) {
    state.typing.set(userId, setTimeout(() => showTyping(userId, false), TYPING_SHOWN_MS));
  }
  renderTyping();
}

function renderTyping() {
  const names = [...state.typing.keys()].map((id) => others(state.open).find((v) => v.member.userId === id)?.user?.displayName ?? 'Someone');
  $('#typing').textContent = names.length === 0 ? '' : `${names.join(', ')} ${names.length === 1 ? 'is' : 'are'} typing…`;
}

// ---------------------------------------------------------------------------
// Start
// ---------------------------------------------------------------------------
const saved = sessionStorage.getItem('chatdata.me');
if (saved) signIn(JSON.parse(saved));
else renderLogin();
