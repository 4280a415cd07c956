import { graphql } from "../gql";

/** The signed-in person (or null): all the dashboard needs to decide what to show them. */
export const ViewerFieldsFragment = graphql(`
  fragment ViewerFields on Viewer {
    kind
    id
    name
    role
    partner
    mustChangePassword
  }
`);

export const MeQuery = graphql(`
  query Me {
    me {
      ...ViewerFields
    }
  }
`);

export const SignInMutation = graphql(`
  mutation SignIn($email: String!, $password: String!) {
    signIn(email: $email, password: $password) {
      ...ViewerFields
    }
  }
`);

export const SignOutMutation = graphql(`
  mutation SignOut {
    signOut
  }
`);

export const ChangePasswordMutation = graphql(`
  mutation ChangePassword($currentPassword: String!, $newPassword: String!) {
    changePassword(currentPassword: $currentPassword, newPassword: $newPassword) {
      ...ViewerFields
    }
  }
`);
