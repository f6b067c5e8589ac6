import { UpdateProfileBody, User, UserList, UserWithPresence } from '@parley/protocol';
import { actorOf } from '../http/auth.js';
import { bearer, IdParams, responses, SearchQuery, type RoutesPlugin } from '../http/schemas.js';
import { avatarRoutes } from './avatar-routes.js';

export const usersRoutes: RoutesPlugin = async (app, { services }) => {
  const tags = ['users'];
  await app.register(avatarRoutes, { services });

  app.get('/me', { schema: { tags, summary: 'Who am I', security: bearer, response: responses({ 200: User }) } }, async (req) => services.users.getUser(actorOf(req).userId));

  app.patch('/me', { schema: { tags, summary: 'Update my profile', security: bearer, body: UpdateProfileBody, response: responses({ 200: User }) } }, async (req) =>
    services.users.updateProfile(actorOf(req), req.body),
  );

  app.get('/users', { schema: { tags, summary: 'Search the user directory', security: bearer, querystring: SearchQuery, response: responses({ 200: UserList }) } }, async (req) => ({
    users: await services.users.searchUsers(req.query.query ?? '', req.query.limit ?? 50),
  }));

  app.get('/users/:id', { schema: { tags, summary: 'One user, with presence', security: bearer, params: IdParams, response: responses({ 200: UserWithPresence }) } }, async (req) => {
    const user = await services.users.getUser(req.params.id);
    // many() answers one presence per id asked, so there is exactly one here.
    const [presence] = await services.presence.many([user.id]);
    return { ...user, presence: presence! };
  });
};
